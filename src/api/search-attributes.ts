/**
 * The search attributes of a search, typed, in one place: the workflow upserts them, the client
 * sets the first ones at start, the CLI reads them, and the dev server registers them from here.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const NAS_ALGORITHM = defineSearchAttributeKey('NasAlgorithm', SearchAttributeType.KEYWORD);
export const NAS_PHASE = defineSearchAttributeKey('NasPhase', SearchAttributeType.KEYWORD);
export const NAS_TRIALS_COMPLETED = defineSearchAttributeKey('NasTrialsCompleted', SearchAttributeType.INT);
export const NAS_BEST_ACCURACY = defineSearchAttributeKey('NasBestAccuracy', SearchAttributeType.DOUBLE);
export const NAS_SEARCH_NAME = defineSearchAttributeKey('NasSearchName', SearchAttributeType.KEYWORD);

export const NAS_SEARCH_ATTRIBUTES = [NAS_ALGORITHM, NAS_PHASE, NAS_TRIALS_COMPLETED, NAS_BEST_ACCURACY, NAS_SEARCH_NAME] as const;
