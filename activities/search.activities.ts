/**
 * The search's I/O, each activity a few lines over src/: algorithm steps on stored state, and the
 * trial lifecycle through a Launcher. Built by `createSearchActivities(deps)` so that tests and
 * the worker inject the store, launcher and clock.
 */
import { hostname } from 'node:os';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { restoreAlgorithm } from '../src/algorithms/registry.js';
import type { AlgorithmState, TrialResult as AlgorithmTrialResult } from '../src/algorithms/types.js';
import type { SearchSpace } from '../src/space/types.js';
import { LiveAlgorithms } from '../src/search/live-algorithms.js';
import { catchUp, loadAt, saveSnapshot, saveStep, type LedgerPosition } from '../src/search/state-ledger.js';
import type { ProposalSummary, TrialOutcome } from '../src/common/search-types.js';
import { classifyExit } from '../src/api/exit-codes.js';
import { searchAccuracy, trainedCost, trialResultSchema, trialSeconds, type AttemptRecord } from '../src/api/trial-result.js';
import { TRIAL_SPEC_VERSION, type TrialSpecInput } from '../src/api/trial-spec.js';
import type { Launcher, TrialRef } from '../src/launch/launcher.js';
import { algorithmName, costMetric, createFromSpec, spaceFor } from '../src/search/algorithm-from-spec.js';
import { isPonasOneShot, type SearchSpec } from '../src/api/search-spec.js';
import { putJson, type ObjectStore } from '../src/store/object-store.js';
import { checkStorage, isStorageError, StorageError } from '../src/store/storage-check.js';
import { isInvalidUri } from '../src/store/uri.js';
import { searchSpecKey, stateKey, trialAttemptKey, trialLogKey, trialPrefix, trialResultKey, trialSpecKey } from '../src/api/store-layout.js';
import { readIfExists } from './algorithm-store.js';
import { createPonasOneShotActivities, planOneShot } from './ponas-one-shot.activities.js';
import { createFinalStageActivities } from './final-stage.activities.js';
import { trialSeed } from './trial-seed.js';

/** The most of a trial attempt's output kept in the store (its end, where errors are). */
const LOG_BYTES = 1 << 20;
/** The most of a failure's reason kept in an attempt record (the log holds the rest). */
const REASON_CHARS = 500;

export interface SearchActivityDeps {
  /** The store and key prefix a storage URI names. */
  openStorage(uri: string): { store: ObjectStore; uriOf(key: string): string };
  /** The launcher that runs trials of this spec (local processes, benchmark table, Kubernetes). */
  launcherFor(spec: SearchSpec): Launcher;
  /** Milliseconds between trial polls. Default: 1000. */
  pollIntervalMs?: number;
  sleep(ms: number): Promise<void>;
}

interface SearchRef {
  searchId: string;
  spec: SearchSpec;
}

interface StepRef extends SearchRef {
  fromVersion: number;
  toVersion: number;
}

interface TrialStepRef extends SearchRef {
  trialId: string;
  attempt: number;
}

/**
 * Runs `work` while heartbeating every few seconds. Algorithm steps yield to the event loop between
 * tfjs batches, so the heartbeat keeps flowing while the step is healthy.
 */
async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), 3000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Unusable storage as a failure no retry repeats (type `StorageError`): a retry of a bad URI, a
 * missing bucket or an unwritable path fails the same way forever. Other errors pass unchanged.
 */
function storageFailure(err: unknown): unknown {
  return isStorageError(err) ? ApplicationFailure.nonRetryable(err.message, 'StorageError') : err;
}

/**
 * Why an awaited trial's activity was cancelled, and whether that cancels the trial. Only a cancel
 * the workflow requested (search cancel, stop-with-cancel, an exhausted retry budget) does; the SDK
 * also cancels running activities when the worker shuts down (SIGTERM, rollout), when a heartbeat
 * times out, or when the activity is paused or reset: then the trial is someone else's to re-attach.
 */
export function isCancelRequested(ctx: Pick<Context, 'cancellationDetails'>, err: unknown): boolean {
  const details = ctx.cancellationDetails;
  if (details) return details.cancelRequested;
  // Without details (older servers), the reason the SDK puts in the failure's message decides.
  return err instanceof CancelledFailure && err.message === 'CANCELLED';
}

export function createSearchActivities(rawDeps: SearchActivityDeps) {
  const pollMs = rawDeps.pollIntervalMs ?? 1000;
  // A URI the store cannot even open (bad scheme or bucket) fails every activity the same way.
  const deps: SearchActivityDeps = {
    ...rawDeps,
    openStorage(uri) {
      try {
        return rawDeps.openStorage(uri);
      } catch (err) {
        if (!isInvalidUri(err)) throw err;
        throw storageFailure(new StorageError(uri, err.reason, 'use s3://bucket/prefix, file:///absolute/path or a filesystem path'));
      }
    },
  };

  /**
   * Checks the storage (URI, then a probe object written, read and deleted) before anything else,
   * then stores the spec and algorithm state 0; for PONAS's one-shot stages also their plan.
   */
  async function initSearch({ searchId, spec }: SearchRef): Promise<{ algorithm: string; oneShot?: { layers: number } }> {
    await checkStorage(spec.storage, (uri) => deps.openStorage(uri).store).catch((err: unknown) => {
      throw storageFailure(err);
    });
    const { store } = deps.openStorage(spec.storage);
    await putJson(store, searchSpecKey(searchId), spec);
    const stored = await readIfExists<AlgorithmState>(store, stateKey(searchId, 0));
    const algorithm = stored ? restoreAlgorithm(spaceFor(spec), stored) : createFromSpec(spec, spaceFor(spec));
    const oneShot = isPonasOneShot(spec) ? await planOneShot(store, { searchId, spec }, algorithm) : undefined;
    if (!stored) await saveSnapshot(store, searchId, 0, algorithm.state());
    return { algorithm: algorithmName(spec), ...(oneShot ? { oneShot } : {}) };
  }

  // The algorithm each search's last step on this worker left, so that the next step neither restores
  // nor rewrites the whole state (src/search/state-ledger.ts): it continues it, or catches it up by the
  // steps other replicas took since; only a worker without one (a restart, a new run) restores.
  const live = new LiveAlgorithms();

  /**
   * The cache key of a step's search: its storage and id, and the workflow run asking, so that a search
   * run again under the same id (storage wiped, resource re-created) can never continue an object
   * of the earlier one. A new run after continue-as-new misses once and restores.
   */
  function liveKey({ searchId, spec }: SearchRef): string | undefined {
    const runId = Context.current().info.workflowExecution?.runId;
    return runId ? `${spec.storage}\n${searchId}\n${runId}` : undefined;
  }

  async function positionAt<G>(store: ObjectStore, key: string | undefined, ref: StepRef, space: SearchSpace<G>): Promise<LedgerPosition<G>> {
    const cached = key ? live.take<G>(key, ref.fromVersion) : undefined;
    if (cached?.version === ref.fromVersion) return cached;
    const started = Date.now();
    const at = cached ? await catchUp(store, ref.searchId, cached, ref.fromVersion, space) : await loadAt(store, ref.searchId, ref.fromVersion, space);
    Context.current().log.info(at.algorithm === cached?.algorithm ? 'caught up with the algorithm state' : 'restored the algorithm state', {
      searchId: ref.searchId,
      version: at.version,
      from: cached ? cached.version : at.snapshot,
      snapshot: at.snapshot,
      ms: Date.now() - started,
    });
    return at;
  }

  async function proposeTrials(ref: StepRef & { trialIds: string[] }): Promise<ProposalSummary[]> {
    const { searchId, spec, toVersion, trialIds } = ref;
    const { store, uriOf } = deps.openStorage(spec.storage);
    const proposalsKey = `${stateKey(searchId, toVersion)}.proposals.json`;
    const done = await readIfExists<ProposalSummary[]>(store, proposalsKey);
    if (done) return done; // a retry after the state was written: same answer
    const space = spaceFor(spec);
    const key = liveKey(ref);
    const at = await positionAt(store, key, ref, space);
    const proposals = at.algorithm.propose(trialIds);
    for (const p of proposals) {
      const prefixUri = uriOf(trialPrefix(searchId, p.trialId));
      const trialSpec: TrialSpecInput = {
        schemaVersion: TRIAL_SPEC_VERSION,
        trialId: p.trialId,
        space: spec.space,
        genotype: space.serialize(p.genotype),
        macro: spec.macro,
        recipe: spec.trial,
        dataset: spec.dataset,
        output: prefixUri,
        seed: trialSeed(spec.seed, p.trialId),
        ...(spec.latency ? { latency: spec.latency } : {}),
        ...(spec.evaluator.type === 'benchmark' ? { benchmark: { evaluator: spec.evaluator, algorithm: spec.algorithm } } : {}),
      };
      await putJson(store, trialSpecKey(searchId, p.trialId), trialSpec);
    }
    const summaries = proposals.map((p) => ({ trialId: p.trialId, hash: p.hash, summary: space.describe(p.genotype) }));
    const next = await saveStep(store, searchId, at, toVersion, { propose: { trialIds, hashes: proposals.map((p) => p.hash) } });
    await putJson(store, proposalsKey, summaries); // written last: marks the step done
    if (key) live.put(key, next);
    return summaries;
  }

  async function observeTrials(ref: StepRef & { outcomes: TrialOutcome[] }): Promise<void> {
    const { searchId, spec, toVersion, outcomes } = ref;
    const { store } = deps.openStorage(spec.storage);
    if (await readIfExists(store, stateKey(searchId, toVersion))) return;
    const key = liveKey(ref);
    const at = await positionAt(store, key, ref, spaceFor(spec));
    // No undefined fields: the live algorithm sees exactly what a replay of the stored record sees.
    const results: AlgorithmTrialResult[] = outcomes.map((o) =>
      o.status === 'succeeded'
        ? { trialId: o.trialId, status: 'succeeded', accuracy: o.accuracy, ...(o.cost === undefined ? {} : { cost: o.cost }) }
        : { trialId: o.trialId, status: 'failed' },
    );
    at.algorithm.observe(results);
    const next = await saveStep(store, searchId, at, toVersion, { observe: results });
    if (key) live.put(key, next);
  }

  function trialRef({ searchId, spec, trialId, attempt }: TrialStepRef): TrialRef {
    const { uriOf } = deps.openStorage(spec.storage);
    return { searchId, spec, trialId, attempt, specUri: uriOf(trialSpecKey(searchId, trialId)) };
  }

  async function launchTrial(ref: TrialStepRef): Promise<void> {
    await deps.launcherFor(ref.spec).launch(trialRef(ref));
  }

  /** Waits for one trial attempt, heartbeating; a retry after a worker crash re-attaches by polling. */
  async function awaitTrial(ref: TrialStepRef): Promise<TrialOutcome> {
    const launcher = deps.launcherFor(ref.spec);
    const trial = trialRef(ref);
    const ctx = Context.current();
    const started = Date.now();
    // A retry after a worker crash re-attaches: the attempt began when the first try began waiting.
    const firstStarted = (ctx.info.heartbeatDetails as { startedAtMs?: unknown } | undefined)?.startedAtMs;
    const startedAtMs = typeof firstStarted === 'number' ? firstStarted : started;
    for (;;) {
      const status = await launcher.poll(trial);
      if (status.state === 'missing') {
        const outcome: TrialOutcome = {
          trialId: ref.trialId,
          status: 'failed',
          failure: 'infra',
          reason: 'no launch record for this attempt',
          attempt: ref.attempt,
        };
        await keepAttemptRecord(launcher, ref, startedAtMs, outcome);
        return outcome;
      }
      if (status.state === 'exited') {
        await keepLog(launcher, trial);
        const outcome = await collect(ref, status.exitCode, status.message, (Date.now() - started) / 1000);
        await keepAttemptRecord(launcher, ref, startedAtMs, outcome, status.exitCode);
        return outcome;
      }
      ctx.heartbeat({ trialId: ref.trialId, attempt: ref.attempt, startedAtMs });
      try {
        await Promise.race([deps.sleep(pollMs), ctx.cancelled]);
      } catch (err) {
        if (isCancelRequested(ctx, err)) {
          await launcher.cancel(trial); // the workflow cancelled it: stop the trial, then report the cancellation
          await keepAttemptRecord(launcher, ref, startedAtMs, undefined);
          throw err;
        }
        // Worker shutdown or a timeout: the trial keeps running. A retryable failure (not the
        // CancelledFailure) makes Temporal retry this activity at once on another worker, whose
        // poll re-attaches; launch is idempotent by attempt, so nothing starts twice.
        throw ApplicationFailure.retryable(
          `stopped waiting for trial ${ref.trialId} attempt ${ref.attempt} (${err instanceof Error ? err.message : String(err)}); the trial keeps running for the next worker to re-attach`,
          'TrialWaitInterrupted',
        );
      }
    }
  }

  /** Copies the attempt's output next to its result; a failed copy costs the log, not the trial. */
  async function keepLog(launcher: Launcher, trial: TrialRef): Promise<void> {
    if (!launcher.logs) return;
    try {
      const text = await launcher.logs(trial, LOG_BYTES);
      if (text !== undefined) await deps.openStorage(trial.spec.storage).store.put(trialLogKey(trial.searchId, trial.trialId, trial.attempt), text);
    } catch (err) {
      Context.current().log.warn(`could not store the log of ${trial.trialId} attempt ${trial.attempt}: ${String(err)}`);
    }
  }

  /**
   * Writes the attempt's record (src/api/trial-result.ts: when, where, how it ended) for the
   * report's timeline; `outcome` undefined means the search cancelled it. A failed write costs
   * the record, not the trial.
   */
  async function keepAttemptRecord(
    launcher: Launcher,
    ref: TrialStepRef,
    startedAtMs: number,
    outcome: TrialOutcome | undefined,
    exitCode?: number,
  ): Promise<void> {
    const record: AttemptRecord = {
      schemaVersion: 1,
      attempt: ref.attempt,
      outcome: outcome === undefined ? 'cancelled' : outcome.status === 'succeeded' ? 'succeeded' : (outcome.failure ?? 'infra'),
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(outcome?.reason !== undefined ? { reason: outcome.reason.slice(0, REASON_CHARS) } : {}),
      startedAtMs,
      endedAtMs: Date.now(),
      worker: hostname(),
      ...(launcher.host !== undefined ? { host: launcher.host } : {}),
    };
    try {
      await putJson(deps.openStorage(ref.spec.storage).store, trialAttemptKey(ref.searchId, ref.trialId, ref.attempt), record);
    } catch (err) {
      Context.current().log.warn(`could not store the record of ${ref.trialId} attempt ${ref.attempt}: ${String(err)}`);
    }
  }

  async function collect(ref: TrialStepRef, exitCode: number, message: string | undefined, waitedSeconds: number): Promise<TrialOutcome> {
    const failure = classifyExit(exitCode);
    if (failure) return { trialId: ref.trialId, status: 'failed', failure, reason: `exit ${exitCode}${message ? `: ${message}` : ''}`, attempt: ref.attempt };
    const { store } = deps.openStorage(ref.spec.storage);
    const raw = await readIfExists<unknown>(store, trialResultKey(ref.searchId, ref.trialId));
    if (raw === undefined) {
      return { trialId: ref.trialId, status: 'failed', failure: 'infra', reason: 'trainer exited 0 without a result.json', attempt: ref.attempt };
    }
    const parsed = trialResultSchema.safeParse(raw);
    if (!parsed.success) {
      // A result this version cannot read is not fixed by a retry: the trial's image and the worker disagree.
      const issue = parsed.error.issues[0];
      const reason = `result.json does not match src/api/trial-result.ts at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
      return { trialId: ref.trialId, status: 'failed', failure: 'user', reason, attempt: ref.attempt };
    }
    const result = parsed.data;
    const outcome: TrialOutcome = {
      trialId: ref.trialId,
      status: 'succeeded',
      accuracy: searchAccuracy(result.valAccuracy),
      attempt: ref.attempt,
      seconds: trialSeconds(result) || waitedSeconds,
    };
    if (result.kind !== 'ponas-supernet' && result.testAccuracy !== undefined) outcome.testAccuracy = searchAccuracy(result.testAccuracy);
    if (result.kind === 'benchmark' && result.cost !== undefined) outcome.cost = result.cost;
    // MnasNet's reward needs a cost for every trained trial: measured latency, or the analytic FLOPs/params.
    if (result.kind === 'trained') {
      const cost = trainedCost(result, costMetric(ref.spec));
      if (cost !== undefined) outcome.cost = cost;
    }
    return outcome;
  }

  async function cancelTrials({ searchId, spec, trialIds }: SearchRef & { trialIds: string[] }): Promise<void> {
    const launcher = deps.launcherFor(spec);
    for (const trialId of trialIds) {
      for (let attempt = 1; attempt <= spec.budget.trialRetries + 1; attempt++) {
        await launcher.cancel(trialRef({ searchId, spec, trialId, attempt }));
      }
    }
  }

  const oneShot = createPonasOneShotActivities(deps);
  const finalStage = createFinalStageActivities(deps);
  return {
    initSearch: (a: SearchRef) => withHeartbeat(() => initSearch(a)),
    prepareSupernetTrial: (a: Parameters<typeof oneShot.prepareSupernetTrial>[0]) => withHeartbeat(() => oneShot.prepareSupernetTrial(a)),
    recordTableRow: (a: Parameters<typeof oneShot.recordTableRow>[0]) => withHeartbeat(() => oneShot.recordTableRow(a)),
    adoptAccuracyTable: (a: Parameters<typeof oneShot.adoptAccuracyTable>[0]) => withHeartbeat(() => oneShot.adoptAccuracyTable(a)),
    prepareFinalTrials: (a: Parameters<typeof finalStage.prepareFinalTrials>[0]) => withHeartbeat(() => finalStage.prepareFinalTrials(a)),
    proposeTrials: (a: StepRef & { trialIds: string[] }) => withHeartbeat(() => proposeTrials(a)),
    observeTrials: (a: StepRef & { outcomes: TrialOutcome[] }) => withHeartbeat(() => observeTrials(a)),
    launchTrial: (a: TrialStepRef) => withHeartbeat(() => launchTrial(a)),
    awaitTrial,
    cancelTrials: (a: SearchRef & { trialIds: string[] }) => withHeartbeat(() => cancelTrials(a)),
  };
}

export type SearchActivities = ReturnType<typeof createSearchActivities>;
