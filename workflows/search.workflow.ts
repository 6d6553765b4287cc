/**
 * The search workflow: one durable loop for every algorithm (DESIGN.md data flow).
 *
 *   decide (propose activity) → dispatch (launch) → collect (await) → update (observe) → repeat,
 *   with up to `parallelism` trials in flight and continue-as-new once the history grows.
 *
 * Workflow code holds decisions and references only: algorithm state lives in the object store
 * under versioned keys written by activities; the workflow carries the version number. Trial ids
 * are allocated here, before the algorithm proposes, so a retried activity reuses them.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  allHandlersFinished,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchSpec } from '../src/spec/search-spec.js';
import { trialId } from '../src/common/ids.js';
import type { ProposalSummary, SearchProgress, SearchResult, TrialOutcome } from '../src/common/search-types.js';
import type { SearchActivities } from '../activities/search.activities.js';
import { SearchBook, type BookState, type RunningTrial } from './search-book.js';
import {
  cancelUpdate, leaderboardQuery, pauseUpdate, progressQuery, resumeUpdate, setMaxTrialsUpdate, setParallelismUpdate, stopUpdate,
} from './search-handlers.js';

/** Errors a retry cannot fix: a bad spec, or a trial whose Kubernetes resource was deleted. */
const NON_RETRYABLE = ['SpecError', 'AlgorithmError', 'GenotypeError', 'BadSpecError', 'SearchResourceGoneError', 'SupernetStageError'];

/**
 * Algorithm steps and launches heartbeat while they work, so a step on a worker that died is
 * retried elsewhere within the heartbeat timeout instead of waiting out its start-to-close time.
 */
const {
  initSearch, proposeTrials, observeTrials, launchTrial, cancelTrials, prepareSupernetTrial, recordTableRow, adoptAccuracyTable,
} = proxyActivities<SearchActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Long wait on one trial; the heartbeat timeout is how fast a dead worker's trials are re-attached. */
const { awaitTrial } = proxyActivities<SearchActivities>({
  startToCloseTimeout: '7 days',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
});

export interface SearchWorkflowInput {
  searchId: string;
  spec: SearchSpec;
  /** Registry name of the algorithm (for progress and search attributes). */
  algorithm: string;
  /** Continue-as-new carry: bookkeeping and outcomes not yet observed. */
  carry?: { book: BookState; unobserved: TrialOutcome[] };
  /** Continue-as-new once a run's history exceeds this many events. Default: 4000. Tests lower it. */
  historyLimit?: number;
}

export async function searchWorkflow(input: SearchWorkflowInput): Promise<SearchResult> {
  const { searchId, spec } = input;
  const book = input.carry ? new SearchBook(input.carry.book) : SearchBook.fresh(spec.budget.maxTrials, spec.budget.parallelism, Date.now());
  const finished: TrialOutcome[] = input.carry ? [...input.carry.unobserved] : [];
  const scopes = new Map<string, CancellationScope>();
  let proposeBlocked = false;

  const progress = (): SearchProgress => {
    const done = book.finished;
    const elapsedMs = Date.now() - book.s.startedAtMs;
    const p: SearchProgress = {
      searchId, algorithm: input.algorithm, phase: book.s.phase, maxTrials: book.s.maxTrials, parallelism: book.s.parallelism,
      counts: { succeeded: book.s.succeeded, failed: book.s.failed, infraRetries: book.s.infraRetries, running: book.s.running.length, cancelled: book.s.cancelled },
      running: book.s.running.map((r) => r.trialId), recent: book.s.recent,
      elapsedMs, runs: book.s.runs,
    };
    if (book.s.leaderboard[0]) p.best = book.s.leaderboard[0];
    // Wall-clock rate so far: right for trained and simulated (benchmark) trials alike. PONAS's
    // supernet stages are not child trials, so its rate counts from the end of those stages.
    const rateMs = Date.now() - (book.s.oneShot?.childrenSinceMs ?? book.s.startedAtMs);
    if (done > 0) p.etaMs = Math.round((rateMs / done) * Math.max(0, book.s.maxTrials - done));
    if (book.s.reason) p.reason = book.s.reason;
    if (book.s.oneShot) {
      const { stage, rowsDone, rows, winners, selection, stageTrials } = book.s.oneShot;
      p.oneShot = { stage, rowsDone, rows, winners, ...(selection ? { selection } : {}) };
      // Stage trials run one at a time: the mean so far times the ones left (meta + a trial per row).
      if (stage !== 'children' && stageTrials > 0) p.oneShot.stageEtaMs = Math.round((elapsedMs / stageTrials) * (rows + 1 - stageTrials));
    }
    return p;
  };
  const setPhase = (): void => {
    const phase = book.s.cancelling ? 'Cancelled' : book.s.stopping ? 'Stopping' : book.s.paused ? 'Paused' : 'Running';
    if (phase !== book.s.phase) {
      book.s.phase = phase;
      upsertSearchAttributes({ NasPhase: [phase] });
    }
  };

  /**
   * budget.maxDurationSeconds: past the deadline the search stops as with the stop update.
   * Waits wake at the deadline; searches without one schedule no timer (so their histories are
   * unchanged).
   */
  const deadlineMs = spec.budget.maxDurationSeconds === undefined ? undefined : book.s.startedAtMs + spec.budget.maxDurationSeconds * 1000;
  const enforceDeadline = (): void => {
    if (deadlineMs === undefined || book.s.stopping || book.s.cancelling || Date.now() < deadlineMs) return;
    book.s.stopping = true;
    book.s.reason ??= `budget.maxDurationSeconds (${spec.budget.maxDurationSeconds} s) reached; running trials finished, no new ones launched`;
    setPhase();
  };
  const waitFor = async (ready: () => boolean): Promise<void> => {
    if (deadlineMs === undefined) return condition(ready);
    const left = deadlineMs - Date.now();
    if (left > 0 && !book.s.stopping) await condition(() => ready() || book.s.stopping, left);
    else await condition(ready);
    enforceDeadline();
  };

  setHandler(progressQuery, progress);
  setHandler(leaderboardQuery, (k?: number) => book.s.leaderboard.slice(0, k ?? 10));
  setHandler(pauseUpdate, () => { book.s.paused = true; setPhase(); return progress(); });
  setHandler(resumeUpdate, () => { book.s.paused = false; setPhase(); return progress(); });
  setHandler(stopUpdate, () => { book.s.stopping = true; setPhase(); return progress(); });
  setHandler(cancelUpdate, () => { book.s.cancelling = true; setPhase(); return progress(); });
  setHandler(setParallelismUpdate, (n: number) => { book.s.parallelism = n; return progress(); }, {
    validator: (n: number) => {
      if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error(`parallelism must be an integer from 1 to 10000; received ${n}`);
    },
  });
  setHandler(setMaxTrialsUpdate, (n: number) => { book.s.maxTrials = n; return progress(); }, {
    validator: (n: number) => {
      const floor = book.finished + book.s.running.length;
      if (!Number.isInteger(n) || n < floor) throw new Error(`maxTrials must be an integer of at least ${floor} (trials done or running); received ${n}`);
    },
  });

  const runTrial = (t: RunningTrial): void => {
    const scope = new CancellationScope();
    scopes.set(t.trialId, scope);
    const body = async (): Promise<void> => {
      for (;;) {
        try {
          await launchTrial({ searchId, spec, trialId: t.trialId, attempt: t.attempt });
          const outcome = await awaitTrial({ searchId, spec, trialId: t.trialId, attempt: t.attempt });
          if (outcome.status === 'failed' && outcome.failure === 'infra' && t.attempt <= spec.budget.trialRetries) {
            // DESIGN.md rule 4: infrastructure failures retry from the checkpoint and do not count.
            book.s.infraRetries++;
            t.attempt++;
            continue;
          }
          finished.push(outcome);
        } catch (err) {
          if (isCancellation(err)) return;
          finished.push({ trialId: t.trialId, status: 'failed', failure: 'infra', reason: errorMessage(err), attempt: t.attempt });
        }
        return;
      }
    };
    void scope.run(body).finally(() => scopes.delete(t.trialId));
  };

  /**
   * PONAS's one-shot stages, one supernet trial at a time (each starts from the previous one's
   * weights): meta-training, then one progressive trial per table row, then the table becomes
   * the algorithm's state. Pause holds the next step; after a stop or cancel the main loop below
   * finds nothing to launch and ends the search.
   */
  const runOneShotStages = async (): Promise<void> => {
    const o = book.s.oneShot!;
    while (o.rowsDone < o.rows || o.stage === 'meta') {
      enforceDeadline();
      await waitFor(() => !book.s.paused || book.s.stopping || book.s.cancelling);
      if (book.s.stopping || book.s.cancelling) {
        const where = `${book.s.cancelling ? 'cancelled' : 'stopped'} during the PONAS supernet stage (${o.rowsDone} of ${o.rows} table rows measured)`;
        book.s.reason = book.s.reason ? `${book.s.reason}; ${where}` : where;
        return;
      }
      const step = o.stage === 'meta' ? 0 : o.rowsDone + 1;
      const { trialId: id, summary } = await prepareSupernetTrial({ searchId, spec, step, fixed: o.fixed });
      book.s.running.push({ trialId: id, attempt: 1, summary });
      runTrial(book.runningTrial(id)!);
      await waitFor(() => finished.length > 0 || book.s.cancelling);
      if (book.s.cancelling) {
        book.s.reason = `cancelled during the PONAS supernet stage (${o.rowsDone} of ${o.rows} table rows measured)`;
        return; // the main loop cancels the running step
      }
      const outcome = finished.shift()!;
      book.s.running = book.s.running.filter((r) => r.trialId !== id);
      o.stageTrials++;
      if (outcome.status !== 'succeeded') {
        book.s.reason = `PONAS ${summary} failed (${outcome.failure ?? 'unknown'}): ${outcome.reason ?? 'no reason given'}`;
        book.s.phase = 'Failed';
        upsertSearchAttributes({ NasPhase: ['Failed'] });
        throw ApplicationFailure.nonRetryable(book.s.reason, 'SupernetStageFailed');
      }
      if (step === 0) {
        o.stage = 'table';
        continue;
      }
      const row = await recordTableRow({ searchId, spec, step });
      o.fixed.push(row.winningSlot);
      o.winners.push(row.winner);
      o.rowsDone++;
    }
    const from = book.s.stateVersion;
    o.selection = await adoptAccuracyTable({ searchId, spec, toVersion: from + 1 });
    book.s.stateVersion = from + 1;
    o.stage = 'children';
    o.childrenSinceMs = Date.now();
  };

  if (!input.carry) {
    upsertSearchAttributes({ NasAlgorithm: [input.algorithm], NasSearchName: [spec.name], NasPhase: ['Initializing'], NasTrialsCompleted: [0] });
    const init = await initSearch({ searchId, spec });
    if (init.oneShot) book.s.oneShot = { stage: 'meta', rowsDone: 0, rows: init.oneShot.layers, winners: [], fixed: [], stageTrials: 0 };
  }
  setPhase();
  // Re-attach to trials carried over continue-as-new. A trial that finished while the last run
  // was observing is still in `running` but its outcome is carried too: awaiting it again would
  // count it twice.
  const carriedOutcomes = new Set(finished.map((o) => o.trialId));
  for (const t of book.s.running) if (!carriedOutcomes.has(t.trialId)) runTrial(t);

  try {
    if (book.s.oneShot && book.s.oneShot.stage !== 'children') await runOneShotStages();
    for (;;) {
      enforceDeadline();
      if (book.s.cancelling) {
        const ids = book.cancelRunning();
        for (const id of ids) scopes.get(id)?.cancel();
        if (ids.length > 0) await CancellationScope.nonCancellable(() => cancelTrials({ searchId, spec, trialIds: ids }));
        finished.length = 0;
        break;
      }
      if (finished.length > 0) {
        // Only trials still running count: an outcome never lands twice in the book or the algorithm.
        const batch = finished.splice(0).filter((o, i, all) => book.runningTrial(o.trialId) && all.findIndex((x) => x.trialId === o.trialId) === i);
        if (batch.length === 0) continue;
        const from = book.s.stateVersion;
        await observeTrials({ searchId, spec, fromVersion: from, toVersion: from + 1, outcomes: batch });
        book.s.stateVersion = from + 1;
        for (const o of batch) book.finish(o);
        proposeBlocked = false;
        publishProgress(book);
        if (book.s.userFailures > spec.budget.maxFailedTrials) {
          book.s.reason = `${book.s.userFailures} trials failed (budget.maxFailedTrials is ${spec.budget.maxFailedTrials}); last: ${batch.filter((o) => o.failure === 'user').map((o) => `${o.trialId}: ${o.reason ?? 'failed'}`).pop() ?? ''}`;
          const ids = book.cancelRunning();
          for (const id of ids) scopes.get(id)?.cancel();
          if (ids.length > 0) await cancelTrials({ searchId, spec, trialIds: ids });
          book.s.phase = 'Failed';
          upsertSearchAttributes({ NasPhase: ['Failed'] });
          throw ApplicationFailure.nonRetryable(book.s.reason, 'TooManyFailedTrials');
        }
        if (shouldContinueAsNew(input.historyLimit)) {
          await condition(allHandlersFinished);
          book.s.runs++;
          await continueAsNew<typeof searchWorkflow>({ ...input, carry: { book: book.s, unobserved: finished.splice(0) } });
        }
        continue;
      }
      if (book.canLaunch() && !proposeBlocked) {
        const count = Math.min(book.freeSlots, book.remaining);
        const round = book.s.nextRound++;
        const ids = Array.from({ length: count }, (_, i) => trialId(searchId, round, i));
        const from = book.s.stateVersion;
        const proposals: ProposalSummary[] = await proposeTrials({ searchId, spec, fromVersion: from, toVersion: from + 1, trialIds: ids });
        book.s.stateVersion = from + 1;
        if (proposals.length < count) proposeBlocked = true; // wait for results before asking again
        if (proposals.length === 0 && book.s.running.length === 0 && finished.length === 0) book.s.exhausted = true;
        for (const p of proposals) {
          book.started(p);
          runTrial(book.runningTrial(p.trialId)!);
        }
        continue;
      }
      if (book.done()) break;
      await waitFor(() => finished.length > 0 || book.s.cancelling || (book.canLaunch() && !proposeBlocked) || book.done());
    }
  } catch (err) {
    if (isCancellation(err)) {
      const ids = book.cancelRunning();
      await CancellationScope.nonCancellable(async () => {
        if (ids.length > 0) await cancelTrials({ searchId, spec, trialIds: ids });
        upsertSearchAttributes({ NasPhase: ['Cancelled'] });
      });
    }
    throw err;
  }

  book.s.phase = book.s.cancelling ? 'Cancelled' : 'Succeeded';
  if (book.s.exhausted && !book.s.reason) book.s.reason = 'the algorithm has no new architecture to propose';
  upsertSearchAttributes({ NasPhase: [book.s.phase] });
  await condition(allHandlersFinished);
  return { searchId, phase: book.s.phase, progress: progress(), leaderboard: book.s.leaderboard };
}

function publishProgress(book: SearchBook): void {
  const attrs: Record<string, number[]> = { NasTrialsCompleted: [book.finished] };
  if (book.s.leaderboard[0]) attrs.NasBestAccuracy = [book.s.leaderboard[0].accuracy];
  upsertSearchAttributes(attrs);
}

function shouldContinueAsNew(limit = 4000): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > limit;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message).slice(0, 500);
  return String(err).slice(0, 500);
}
