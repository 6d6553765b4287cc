/**
 * One run of a search, as a state machine driven by history events (docs/durability.md).
 *
 * Why a state machine and not an async loop: a worker that answers a query with an empty cache
 * replays the history and applies events that are not yet part of a workflow task; the workflow
 * task that follows then carries the rest. Live, such a worker sees a group of activity
 * completions in two activations; a later replay sees them in one. An async loop that decides from
 * "whatever has arrived by the time I look" schedules different commands in the two cases (the
 * shared histories `worker-restart-{1,2}`: one observe of 7 trials on replay, observe of 1 then
 * observe of 6 live). Here every decision is made synchronously in the handler of one event, in
 * history order, from the state left by the events before it, so the grouping of events into
 * activations cannot change a command:
 *
 * - every activity promise gets its handlers directly (`.then` on the SDK's own promise, never
 *   through an async wrapper), so handlers of one activation run in event order;
 * - updates are sorted before other jobs by the SDK, so their effects are queued and applied at the
 *   end of the activation (`applyControls`, driven by the workflow function), after the handlers;
 * - nothing that decides reads the clock or the history length: the run counts its own events.
 */
import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, setCurrentDetails, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { ActivityOptions, SearchAttributeUpdatePair } from '@temporalio/common';
import type { SearchActivities } from '../activities/search.activities.js';
import { trialId } from '../src/common/ids.js';
import type { FinalTrialProgress, SearchPhase, SearchProgress, TrialOutcome } from '../src/common/search-types.js';
import type { SearchSpec } from '../src/api/search-spec.js';
import { NAS_BEST_ACCURACY, NAS_PHASE, NAS_TRIALS_COMPLETED } from '../src/api/search-attributes.js';
import { SearchBook, type RunningTrial } from './search-book.js';

/** Errors a retry cannot fix: a bad spec or storage, or a trial whose Kubernetes resource was deleted. */
const NON_RETRYABLE = [
  'SpecError',
  'AlgorithmError',
  'GenotypeError',
  'BadSpecError',
  'SearchResourceGoneError',
  'SupernetStageError',
  'FinalStageError',
  'StorageError',
];

/**
 * Algorithm steps and launches heartbeat while they work, so a step on a worker that died is
 * retried elsewhere within the heartbeat timeout instead of waiting out its start-to-close time.
 */
const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
};
const steps = proxyActivities<SearchActivities>(STEP_OPTIONS);

/** Long wait on one trial; the heartbeat timeout is how fast a dead worker's trials are re-attached. */
const AWAIT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '7 days',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
};
const { awaitTrial } = proxyActivities<SearchActivities>(AWAIT_OPTIONS);

/** The one-line summary the Temporal UI shows for a trial's activities (user metadata, not replayed). */
function trialSummary(verb: string, t: RunningTrial): string {
  const what = `${verb} ${t.trialId}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ''}: ${t.summary}`;
  return what.length > 200 ? `${what.slice(0, 199)}…` : what;
}

/** History events one activity costs: scheduled, started, completed and a workflow task of three. */
const EVENTS_PER_ACTIVITY = 6;

/**
 * A run's default event budget before it continues as new. A run starts by re-attaching every
 * running trial (a launch and an await: 12 events each), so a fixed budget smaller than that
 * makes each run continue as new before any trial is observed, forever (measured by the scale
 * bench: 450 running trials are 5,400 events against a budget of 4,000, and the search stalled in
 * a run every 1-2 s). The budget covers the re-attach plus as many events again of progress, and
 * stays at 4,000 up to parallelism 166; capped at 40,000, under Temporal's 51,200-event limit.
 */
export function defaultHistoryLimit(parallelism: number): number {
  return Math.min(40_000, Math.max(4000, 2 * 2 * EVENTS_PER_ACTIVITY * parallelism));
}

/** A control the user sent (an update); applied at the end of the activation that carried it. */
export type Control =
  { kind: 'pause' } | { kind: 'resume' } | { kind: 'stop' } | { kind: 'cancel' } | { kind: 'parallelism'; n: number } | { kind: 'maxTrials'; n: number };

export type RunEnd = { kind: 'completed' } | { kind: 'failed'; failure: ApplicationFailure } | { kind: 'continueAsNew' };

export class SearchRun {
  /** Set once: the workflow function ends the run accordingly. */
  ended?: RunEnd;
  private readonly controls: Control[] = [];
  /** The algorithm, stage or cancel step in flight; at most one at a time. */
  private step?: { name: string; scope: CancellationScope };
  private proposeBlocked = false;
  private events = 0;
  private stageOutcome?: TrialOutcome;

  constructor(
    private readonly searchId: string,
    private readonly spec: SearchSpec,
    private readonly algorithm: string,
    readonly book: SearchBook,
    readonly unobserved: TrialOutcome[],
    private readonly historyLimit: number,
  ) {}

  private get s() {
    return this.book.s;
  }

  /** First run: stores the spec and state 0; every run: re-attaches to carried trials and arms the deadline. */
  start(fresh: boolean): void {
    if (fresh) {
      this.call(
        'initSearch',
        () => steps.initSearch({ searchId: this.searchId, spec: this.spec }),
        (init) => {
          if (init.oneShot) this.s.oneShot = { stage: 'meta', rowsDone: 0, rows: init.oneShot.layers, winners: [], fixed: [], stageTrials: 0 };
          this.setPhase();
        },
      );
    } else {
      this.setPhase();
      this.showDetails();
      // A trial whose outcome is carried finished while the last run was ending: not awaited twice.
      const carried = new Set(this.unobserved.map((o) => o.trialId));
      for (const t of this.s.running) if (!carried.has(t.trialId)) this.runTrial(t);
      this.next();
    }
    this.armDeadline();
  }

  // ----- controls (updates) -----

  /** Queues a control; the update handler resolves once `applyControls` has applied it. */
  queue(control: Control): void {
    this.controls.push(control);
  }

  get hasControls(): boolean {
    return this.controls.length > 0;
  }

  isApplied(control: Control): boolean {
    return !this.controls.includes(control);
  }

  applyControls(): void {
    const controls = this.controls.splice(0);
    if (this.ended) return; // answered by the end state
    for (const c of controls) {
      if (c.kind === 'pause') this.s.paused = true;
      else if (c.kind === 'resume') this.s.paused = false;
      else if (c.kind === 'stop') this.s.stopping = true;
      else if (c.kind === 'cancel') this.s.cancelling = true;
      else if (c.kind === 'parallelism') this.s.parallelism = c.n;
      else this.s.maxTrials = c.n;
    }
    this.setPhase();
    // Cancel always ends a search, even while a step cannot finish (unusable storage, a stuck step).
    if (this.s.cancelling && this.step && this.step.name !== 'cancelTrials') this.abandonStep();
    this.next();
  }

  // ----- the decision: called after every event, in history order -----

  private next(): void {
    if (this.ended || this.step) return;
    if (this.s.cancelling) return this.cancelRunning(() => this.complete());
    const batch = this.takeObservable();
    if (batch.length > 0) return this.observe(batch);
    if (this.s.userFailures > this.spec.budget.maxFailedTrials) return this.failTooManyTrials();
    if (this.s.oneShot && this.s.oneShot.stage !== 'children') return this.nextStage();
    // The final stage runs a handful of trials to its end in this run: no continue-as-new.
    if (this.s.final) return this.nextFinal();
    if (this.events > this.historyLimit) return this.end({ kind: 'continueAsNew' });
    this.launchPending();
    if (this.book.canLaunch() && !this.proposeBlocked) return this.propose();
    if (this.book.done()) {
      if (this.wantsFinal()) return this.startFinal();
      this.complete();
    }
  }

  private propose(): void {
    const count = Math.min(this.book.freeSlots, this.book.remaining);
    const round = this.s.nextRound++;
    const trialIds = Array.from({ length: count }, (_, i) => trialId(this.searchId, round, i));
    const from = this.s.stateVersion;
    this.call(
      'proposeTrials',
      () => steps.proposeTrials({ searchId: this.searchId, spec: this.spec, fromVersion: from, toVersion: from + 1, trialIds }),
      (proposals) => {
        this.s.stateVersion = from + 1;
        if (proposals.length < count) this.proposeBlocked = true; // wait for results before asking again
        if (proposals.length === 0 && this.s.running.length === 0 && this.unobserved.length === 0) this.s.exhausted = true;
        this.s.pending.push(...proposals);
      },
    );
  }

  /**
   * Starts proposed trials while the search may launch. Proposals that return while the search is
   * paused wait here (carried over continue-as-new) instead of launching after the pause.
   */
  private launchPending(): void {
    const s = this.s;
    if (s.paused || s.stopping || s.cancelling) return;
    while (s.pending.length > 0 && this.book.freeSlots > 0 && this.book.finished + s.running.length < s.maxTrials) {
      const p = s.pending.shift()!;
      this.book.started(p);
      this.runTrial(this.book.runningTrial(p.trialId)!);
    }
  }

  private observe(batch: TrialOutcome[]): void {
    const from = this.s.stateVersion;
    this.call(
      'observeTrials',
      () => steps.observeTrials({ searchId: this.searchId, spec: this.spec, fromVersion: from, toVersion: from + 1, outcomes: batch }),
      () => {
        this.s.stateVersion = from + 1;
        for (const o of batch) this.book.finish(o);
        this.proposeBlocked = false;
        this.publishProgress();
      },
    );
  }

  /** Outcomes of child trials still running, once each, in arrival order. */
  private takeObservable(): TrialOutcome[] {
    const seen = new Set<string>();
    return this.unobserved.splice(0).filter((o) => {
      if (seen.has(o.trialId) || !this.book.runningTrial(o.trialId)) return false;
      seen.add(o.trialId);
      return true;
    });
  }

  // ----- trials -----

  private runTrial(t: RunningTrial): void {
    const ref = { searchId: this.searchId, spec: this.spec, trialId: t.trialId, attempt: t.attempt };
    const attempt = t.attempt;
    this.count(2);
    steps.launchTrial.executeWithOptions({ ...STEP_OPTIONS, summary: trialSummary('launch', t) }, [ref]).then(
      () => {
        if (this.ended || !this.isCurrent(t.trialId, attempt)) return;
        awaitTrial.executeWithOptions({ ...AWAIT_OPTIONS, summary: trialSummary('train', t) }, [ref]).then(
          (outcome) => this.onTrialExit(t.trialId, attempt, outcome),
          (err) => this.onTrialError(t.trialId, attempt, err),
        );
      },
      (err) => this.onTrialError(t.trialId, attempt, err),
    );
  }

  private isCurrent(id: string, attempt: number): boolean {
    return this.book.runningTrial(id)?.attempt === attempt;
  }

  private onTrialError(id: string, attempt: number, err: unknown): void {
    if (isCancellation(err)) return; // the workflow itself is being cancelled
    this.onTrialExit(id, attempt, { trialId: id, status: 'failed', failure: 'infra', reason: errorMessage(err), attempt });
  }

  private onTrialExit(id: string, attempt: number, outcome: TrialOutcome): void {
    const t = this.book.runningTrial(id);
    if (!t || t.attempt !== attempt) return; // cancelled, or an older attempt
    if (this.ended) {
      if (this.ended.kind === 'continueAsNew') this.unobserved.push(outcome);
      return;
    }
    if (outcome.status === 'failed' && outcome.failure === 'infra' && t.attempt <= this.spec.budget.trialRetries && !this.s.cancelling) {
      // docs/design.md rule 4: infrastructure failures retry from the checkpoint and do not count.
      this.s.infraRetries++;
      t.attempt++;
      this.runTrial(t);
      return;
    }
    if (t.stage !== undefined) this.stageOutcome = outcome;
    else if (t.final) this.finishFinal(outcome);
    else this.unobserved.push(outcome);
    this.next();
  }

  /** Cancels every running trial (search cancel or failure budget spent), then continues. */
  private cancelRunning(then: () => void): void {
    this.s.pending = [];
    const trialIds = this.book.cancelRunning();
    if (trialIds.length === 0) return then();
    this.call(
      'cancelTrials',
      () => steps.cancelTrials({ searchId: this.searchId, spec: this.spec, trialIds }),
      () => undefined,
      then,
    );
  }

  private failTooManyTrials(): void {
    const last = this.s.recent.find((o) => o.failure === 'user');
    this.s.reason = `${this.s.userFailures} trials failed (budget.maxFailedTrials is ${this.spec.budget.maxFailedTrials}); last: ${last ? `${last.trialId}: ${last.reason ?? 'failed'}` : ''}`;
    this.cancelRunning(() => this.fail(this.s.reason!, 'TooManyFailedTrials'));
  }

  // ----- PONAS one-shot stages: one supernet trial at a time, each from the previous one's weights -----

  private nextStage(): void {
    const o = this.s.oneShot!;
    const outcome = this.stageOutcome;
    if (outcome) {
      this.stageOutcome = undefined;
      const t = this.book.runningTrial(outcome.trialId)!;
      this.s.running = this.s.running.filter((r) => r.trialId !== outcome.trialId);
      o.stageTrials++;
      if (outcome.status !== 'succeeded') {
        return this.fail(`PONAS ${t.summary} failed (${outcome.failure ?? 'unknown'}): ${outcome.reason ?? 'no reason given'}`, 'SupernetStageFailed');
      }
      if (t.stage === 0) {
        o.stage = 'table';
        return this.next();
      }
      const step = t.stage!;
      return this.call(
        'recordTableRow',
        () => steps.recordTableRow({ searchId: this.searchId, spec: this.spec, step }),
        (row) => {
          o.fixed.push(row.winningSlot);
          o.winners.push(row.winner);
          o.rowsDone++;
        },
      );
    }
    if (this.s.running.length > 0) return; // the stage trial is still training
    if (this.s.stopping) {
      const where = `stopped during the PONAS supernet stage (${o.rowsDone} of ${o.rows} table rows measured)`;
      this.s.reason = this.s.reason ? `${this.s.reason}; ${where}` : where;
      return this.complete();
    }
    if (this.s.paused) return;
    if (o.stage === 'table' && o.rowsDone >= o.rows) {
      const from = this.s.stateVersion;
      return this.call(
        'adoptAccuracyTable',
        () => steps.adoptAccuracyTable({ searchId: this.searchId, spec: this.spec, toVersion: from + 1 }),
        (selection) => {
          o.selection = selection;
          this.s.stateVersion = from + 1;
          o.stage = 'children';
          o.childrenSinceMs = Date.now(); // progress only (ETA), never a decision
        },
      );
    }
    const step = o.stage === 'meta' ? 0 : o.rowsDone + 1;
    this.call(
      'prepareSupernetTrial',
      () => steps.prepareSupernetTrial({ searchId: this.searchId, spec: this.spec, step, fixed: o.fixed }),
      ({ trialId: id, summary }) => {
        this.s.running.push({ trialId: id, attempt: 1, summary, stage: step });
        this.runTrial(this.book.runningTrial(id)!);
      },
    );
  }

  // ----- the final stage: the top-K architectures trained again at the final size -----

  /** A search that succeeded (not stopped or cancelled) and whose spec asks for final training. */
  private wantsFinal(): boolean {
    const s = this.s;
    return this.spec.final !== undefined && !s.stopping && !s.cancelling && s.leaderboard.length > 0;
  }

  private startFinal(): void {
    const sources = this.s.leaderboard.slice(0, this.spec.final!.topK);
    this.s.final = { stage: 'preparing', size: '', trials: [] };
    this.setPhase();
    this.call(
      'prepareFinalTrials',
      () => steps.prepareFinalTrials({ searchId: this.searchId, spec: this.spec, sources: sources.map((e) => e.trialId) }),
      ({ trialIds, size }) => {
        const trials: FinalTrialProgress[] = trialIds.map((trialId, k) => {
          const source = sources[k]!; // one id per source, in order
          return { trialId, sourceTrialId: source.trialId, searchAccuracy: source.accuracy, summary: source.summary, status: 'pending' };
        });
        this.s.final = { stage: 'training', size, trials };
        this.showDetails();
      },
    );
  }

  /** Launches pending final trials into free slots; ends the search once none is left to run. */
  private nextFinal(): void {
    const s = this.s;
    const f = s.final!;
    if (f.stage !== 'training') return;
    if (s.stopping) for (const t of f.trials) if (t.status === 'pending') Object.assign(t, { status: 'skipped', reason: 'the search was stopped' });
    if (!s.paused) {
      for (const t of f.trials) {
        if (t.status !== 'pending' || this.book.freeSlots === 0) continue;
        t.status = 'running';
        const running = { trialId: t.trialId, attempt: 1, summary: `final (${f.size}) of ${t.sourceTrialId}: ${t.summary}`, final: true as const };
        s.running.push(running);
        this.runTrial(running);
      }
    }
    if (s.running.length > 0 || f.trials.some((t) => t.status === 'pending')) return;
    f.stage = 'done';
    const failed = f.trials.filter((t) => t.status === 'failed').length;
    if (failed > 0) s.reason ??= `final training: ${failed} of ${f.trials.length} failed`;
    this.complete();
  }

  private finishFinal(outcome: TrialOutcome): void {
    const s = this.s;
    s.running = s.running.filter((r) => r.trialId !== outcome.trialId);
    const t = s.final?.trials.find((x) => x.trialId === outcome.trialId);
    if (!t) return;
    t.status = outcome.status === 'succeeded' ? 'succeeded' : 'failed';
    if (outcome.accuracy !== undefined) t.accuracy = outcome.accuracy;
    if (outcome.testAccuracy !== undefined) t.testAccuracy = outcome.testAccuracy;
    if (outcome.seconds !== undefined) t.seconds = outcome.seconds;
    if (outcome.reason !== undefined) t.reason = outcome.reason;
    this.showDetails();
  }

  // ----- steps -----

  /**
   * Runs one step activity in a cancellation scope of its own. The handlers go on the activity's
   * own promise (the scope's `run` adds an async wrapper, which would reorder handlers).
   */
  private call<T>(name: string, activity: () => Promise<T>, onDone: (value: T) => void, then?: () => void): void {
    const scope = new CancellationScope();
    let promise!: Promise<T>;
    scope.run(() => (promise = activity())).catch(() => undefined);
    const step = { name, scope };
    this.step = step;
    this.count(1);
    promise.then(
      (value) => {
        if (this.step !== step) return; // abandoned by a cancel
        this.step = undefined;
        onDone(value);
        if (then) then();
        else this.next();
      },
      (err) => {
        if (this.step !== step) return;
        this.step = undefined;
        if (isCancellation(err)) return;
        this.fail(`${name}: ${rootMessage(err)}`, rootType(err) ?? 'SearchStepFailed');
      },
    );
  }

  private abandonStep(): void {
    const step = this.step!;
    this.step = undefined;
    step.scope.cancel();
  }

  private armDeadline(): void {
    const seconds = this.spec.budget.maxDurationSeconds;
    if (seconds === undefined) return; // no timer, so searches without a deadline keep their histories
    const left = this.s.startedAtMs + seconds * 1000 - Date.now();
    const reached = (): void => {
      if (this.ended || this.s.stopping || this.s.cancelling) return;
      this.s.stopping = true;
      this.s.reason ??= `budget.maxDurationSeconds (${seconds} s) reached; running trials finished, no new ones launched`;
      this.setPhase();
      this.next();
    };
    if (left <= 0) reached();
    else sleep(left).then(reached, () => undefined);
  }

  // ----- the end -----

  private complete(): void {
    const s = this.s;
    s.pending = [];
    if (s.cancelling && s.final) {
      s.final.stage = 'done';
      for (const t of s.final.trials)
        if (t.status === 'pending' || t.status === 'running') Object.assign(t, { status: 'skipped', reason: 'the search was cancelled' });
    }
    if (s.cancelling) s.phase = 'Cancelled';
    else if (s.succeeded === 0 && s.failed > 0) {
      const last = s.recent[0];
      return this.fail(`no trial succeeded: all ${s.failed} failed; last: ${last ? `${last.trialId}: ${last.reason ?? 'failed'}` : ''}`, 'NoTrialSucceeded');
    } else s.phase = 'Succeeded';
    if (s.exhausted && !s.reason) s.reason = 'the algorithm has no new architecture to propose';
    upsertSearchAttributes([{ key: NAS_PHASE, value: s.phase }]);
    this.showDetails();
    this.end({ kind: 'completed' });
  }

  private fail(reason: string, type: string): void {
    this.s.reason = reason;
    this.s.phase = 'Failed';
    upsertSearchAttributes([{ key: NAS_PHASE, value: 'Failed' }]);
    this.showDetails();
    this.end({ kind: 'failed', failure: ApplicationFailure.nonRetryable(reason, type) });
  }

  private end(end: RunEnd): void {
    this.ended = end;
  }

  /** The workflow was cancelled from outside (temporal workflow cancel): stop the trials. */
  async cancelledFromOutside(): Promise<void> {
    const trialIds = this.book.cancelRunning();
    if (trialIds.length > 0) await steps.cancelTrials({ searchId: this.searchId, spec: this.spec, trialIds });
    upsertSearchAttributes([{ key: NAS_PHASE, value: 'Cancelled' }]);
  }

  // ----- what users see -----

  private setPhase(): void {
    const s = this.s;
    const phase: SearchPhase = s.cancelling ? 'Cancelled' : s.stopping ? 'Stopping' : s.paused ? 'Paused' : 'Running';
    if (phase === s.phase) return;
    s.phase = phase;
    upsertSearchAttributes([{ key: NAS_PHASE, value: phase }]);
    this.showDetails();
  }

  /**
   * The search at a glance for the Temporal UI's "current details" (markdown): phase, counts and
   * the best trial. Kept in memory and served by the SDK's metadata query: no history events.
   */
  private showDetails(): void {
    const s = this.s;
    const lines = [
      `**${s.phase}** · ${this.algorithm} · ${this.book.finished}/${s.maxTrials} trials · ${s.running.length} running · ${s.failed} failed · ${s.infraRetries} infra retries`,
    ];
    const best = s.leaderboard[0];
    if (best) lines.push(`Best: **${best.accuracy.toFixed(2)} %** · ${best.trialId} · \`${best.summary}\``);
    if (s.final) {
      const done = s.final.trials.filter((t) => t.status === 'succeeded' || t.status === 'failed').length;
      const best = s.final.trials.filter((t) => t.accuracy !== undefined).sort((a, b) => b.accuracy! - a.accuracy!)[0];
      lines.push(
        `Final training (${s.final.size || 'preparing'}): ${done}/${s.final.trials.length} done${best ? ` · best **${best.accuracy!.toFixed(2)} %** (${best.sourceTrialId}, ${best.searchAccuracy.toFixed(2)} % in the search)` : ''}`,
      );
    }
    if (s.reason) lines.push(`Reason: ${s.reason}`);
    setCurrentDetails(lines.join('\n\n'));
  }

  private publishProgress(): void {
    const updates: SearchAttributeUpdatePair[] = [{ key: NAS_TRIALS_COMPLETED, value: this.book.finished }];
    if (this.s.leaderboard[0]) updates.push({ key: NAS_BEST_ACCURACY, value: this.s.leaderboard[0].accuracy });
    upsertSearchAttributes(updates);
    this.showDetails();
  }

  private count(activities: number): void {
    this.events += activities * EVENTS_PER_ACTIVITY;
  }

  progress(): SearchProgress {
    const s = this.s;
    const done = this.book.finished;
    const now = Date.now();
    const elapsedMs = now - s.startedAtMs;
    const p: SearchProgress = {
      searchId: this.searchId,
      algorithm: this.algorithm,
      phase: s.phase,
      maxTrials: s.maxTrials,
      parallelism: s.parallelism,
      counts: { succeeded: s.succeeded, failed: s.failed, infraRetries: s.infraRetries, running: s.running.length, cancelled: s.cancelled },
      running: s.running.map((r) => r.trialId),
      recent: s.recent,
      elapsedMs,
      runs: s.runs,
    };
    if (s.leaderboard[0]) p.best = s.leaderboard[0];
    // Wall-clock rate so far: right for trained and simulated (benchmark) trials alike. PONAS's
    // supernet stages are not child trials, so its rate counts from the end of those stages.
    const rateMs = now - (s.oneShot?.childrenSinceMs ?? s.startedAtMs);
    const final = s.phase === 'Succeeded' || s.phase === 'Failed' || s.phase === 'Cancelled';
    if (done > 0 && !final && !s.final) p.etaMs = Math.round((rateMs / done) * Math.max(0, s.maxTrials - done));
    if (s.reason) p.reason = s.reason;
    if (s.oneShot) {
      const { stage, rowsDone, rows, winners, selection, stageTrials } = s.oneShot;
      p.oneShot = { stage, rowsDone, rows, winners, ...(selection ? { selection } : {}) };
      // Stage trials run one at a time: the mean so far times the ones left (meta + a trial per row).
      if (stage !== 'children' && stageTrials > 0) p.oneShot.stageEtaMs = Math.round((elapsedMs / stageTrials) * (rows + 1 - stageTrials));
    }
    if (s.final) p.final = s.final;
    return p;
  }
}

/** The innermost failure's type (an activity failure wraps the activity's ApplicationFailure). */
function rootType(err: unknown): string | undefined {
  let e: unknown = err;
  let type: string | undefined;
  while (e instanceof Error) {
    if (e instanceof ApplicationFailure && e.type) type = e.type;
    e = e.cause;
  }
  return type;
}

/** The innermost message: the activity's own words, without the SDK's "Activity task failed" wrapper. */
function rootMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}

function errorMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  const root = e instanceof Error ? e.message : String(e);
  const top = err instanceof Error ? err.message : String(err);
  return (root === top ? top : `${top}: ${root}`).slice(0, 500);
}
