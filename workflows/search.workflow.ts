/**
 * The search workflow: one durable search for every algorithm (docs/design.md data flow).
 *
 *   decide (propose activity) → dispatch (launch) → collect (await) → update (observe) → repeat,
 *   with up to `parallelism` trials in flight and continue-as-new once the run's history grows.
 *
 * The decisions live in SearchRun, a state machine that decides in the handler of each history
 * event (see search-run.ts for why). This function wires handlers, applies user controls at the
 * end of each activation, and ends the run as the machine says.
 *
 * Workflow code holds decisions and references only: algorithm state lives in the object store
 * under versioned keys written by activities; the workflow carries the version number. Trial ids
 * are allocated here, before the algorithm proposes, so a retried activity reuses them.
 */
import { allHandlersFinished, CancellationScope, condition, continueAsNew, isCancellation, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchSpec } from '../src/api/search-spec.js';
import type { SearchResult, TrialOutcome } from '../src/common/search-types.js';
import { NAS_ALGORITHM, NAS_PHASE, NAS_SEARCH_NAME, NAS_TRIALS_COMPLETED } from '../src/api/search-attributes.js';
import { SearchBook, type BookState } from './search-book.js';
import {
  cancelUpdate,
  leaderboardQuery,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  setMaxTrialsUpdate,
  setParallelismUpdate,
  stopUpdate,
} from './search-handlers.js';
import { defaultHistoryLimit, SearchRun, type Control } from './search-run.js';

export interface SearchWorkflowInput {
  searchId: string;
  spec: SearchSpec;
  /** Registry name of the algorithm (for progress and search attributes). */
  algorithm: string;
  /** Continue-as-new carry: bookkeeping and outcomes not yet observed. */
  carry?: { book: BookState; unobserved: TrialOutcome[] };
  /** Continue-as-new once a run's history reaches about this many events. Default: defaultHistoryLimit(parallelism), 4000 up to parallelism 166. Tests lower it. */
  historyLimit?: number;
}

export async function searchWorkflow(input: SearchWorkflowInput): Promise<SearchResult> {
  const { searchId, spec } = input;
  const book = input.carry ? new SearchBook(input.carry.book) : SearchBook.fresh(spec.budget.maxTrials, spec.budget.parallelism, Date.now());
  const run = new SearchRun(
    searchId,
    spec,
    input.algorithm,
    book,
    input.carry ? [...input.carry.unobserved] : [],
    input.historyLimit ?? defaultHistoryLimit(book.s.parallelism),
  );

  setHandler(progressQuery, () => run.progress());
  setHandler(leaderboardQuery, (k?: number) => book.s.leaderboard.slice(0, k ?? 10));
  const control =
    (make: (...args: number[]) => Control) =>
    async (...args: number[]) => {
      // Queued one microtask later than the update's job, so that no condition sees it before the
      // activation's other events are handled (the SDK runs update jobs first).
      await Promise.resolve();
      const c = make(...args);
      run.queue(c);
      await condition(() => run.isApplied(c));
      return run.progress();
    };
  setHandler(
    pauseUpdate,
    control(() => ({ kind: 'pause' })),
  );
  setHandler(
    resumeUpdate,
    control(() => ({ kind: 'resume' })),
  );
  setHandler(
    stopUpdate,
    control(() => ({ kind: 'stop' })),
  );
  setHandler(
    cancelUpdate,
    control(() => ({ kind: 'cancel' })),
  );
  setHandler(
    setParallelismUpdate,
    control((n) => ({ kind: 'parallelism', n })),
    {
      validator: (n: number) => {
        if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error(`parallelism must be an integer from 1 to 10000; received ${n}`);
      },
    },
  );
  setHandler(
    setMaxTrialsUpdate,
    control((n) => ({ kind: 'maxTrials', n })),
    {
      validator: (n: number) => {
        const floor = book.finished + book.s.running.length;
        if (!Number.isInteger(n) || n < floor) throw new Error(`maxTrials must be an integer of at least ${floor} (trials done or running); received ${n}`);
      },
    },
  );

  if (!input.carry) {
    upsertSearchAttributes([
      { key: NAS_ALGORITHM, value: input.algorithm },
      { key: NAS_SEARCH_NAME, value: spec.name },
      { key: NAS_PHASE, value: 'Initializing' },
      { key: NAS_TRIALS_COMPLETED, value: 0 },
    ]);
  }
  run.start(!input.carry);

  try {
    for (;;) {
      await condition(() => run.hasControls || run.ended !== undefined);
      if (run.ended) break;
      run.applyControls();
    }
  } catch (err) {
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => run.cancelledFromOutside());
    throw err;
  }

  const end = run.ended;
  // Updates still waiting for their control are answered by the end state.
  if (run.hasControls) run.applyControls();
  await condition(allHandlersFinished);
  if (end.kind === 'failed') throw end.failure;
  if (end.kind === 'continueAsNew') {
    book.s.runs++;
    return continueAsNew<typeof searchWorkflow>({ ...input, carry: { book: book.s, unobserved: run.unobserved.splice(0) } });
  }
  return { searchId, phase: book.s.phase, progress: run.progress(), leaderboard: book.s.leaderboard };
}
