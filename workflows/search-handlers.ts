/** Signals, updates and queries of the search workflow, as typed module-level constants. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { LeaderboardEntry, SearchProgress } from '../src/common/search-types.js';

/** Stop launching trials; running trials finish. */
export const pauseUpdate = defineUpdate<SearchProgress>('pause');
export const resumeUpdate = defineUpdate<SearchProgress>('resume');
export const setParallelismUpdate = defineUpdate<SearchProgress, [number]>('setParallelism');
/** Extend or shrink the trial budget (never below what is already done or running). */
export const setMaxTrialsUpdate = defineUpdate<SearchProgress, [number]>('setMaxTrials');
/** Launch nothing more, let running trials finish, then complete. */
export const stopUpdate = defineUpdate<SearchProgress>('stop');
/** Stop running trials now and complete as Cancelled. */
export const cancelUpdate = defineUpdate<SearchProgress>('cancel');

export const progressQuery = defineQuery<SearchProgress>('progress');
export const leaderboardQuery = defineQuery<LeaderboardEntry[], [number?]>('leaderboard');
