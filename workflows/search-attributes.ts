/** Typed keys of the search attributes the Temporal UI shows for a search (registered at dev-server start). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const NAS_ALGORITHM = defineSearchAttributeKey('NasAlgorithm', SearchAttributeType.KEYWORD);
export const NAS_PHASE = defineSearchAttributeKey('NasPhase', SearchAttributeType.KEYWORD);
export const NAS_TRIALS_COMPLETED = defineSearchAttributeKey('NasTrialsCompleted', SearchAttributeType.INT);
export const NAS_BEST_ACCURACY = defineSearchAttributeKey('NasBestAccuracy', SearchAttributeType.DOUBLE);
export const NAS_SEARCH_NAME = defineSearchAttributeKey('NasSearchName', SearchAttributeType.KEYWORD);
