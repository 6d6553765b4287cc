/**
 * The worker's Prometheus metrics, and the wrapper that feeds them from the search activities
 * without the activities knowing (activities/search.activities.ts stays about the search).
 *
 * Labels: `search` is `<namespace>/<name>` of a resource (`local/<name>` for a CLI search) and
 * `algorithm` the spec's method; both are bounded by the searches a cluster runs, never per trial.
 * A trial's outcome is counted by the worker that awaited it to the end, so summed over workers
 * each final outcome counts once; `nasflow_trials_running` is per worker (sum for the total).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SearchActivities } from '../../activities/search.activities.js';
import { parseResourceSearchId } from '../api/resource-spec.js';
import type { SearchSpec } from '../api/search-spec.js';
import { algorithmName } from '../search/algorithm-from-spec.js';

export interface SearchMetrics {
  registry: Registry;
  trialsStarted: Counter<'search' | 'algorithm'>;
  trialsSucceeded: Counter<'search' | 'algorithm'>;
  trialsFailed: Counter<'search' | 'algorithm' | 'failure'>;
  trialsRetried: Counter<'search' | 'algorithm'>;
  trialsRunning: Gauge<'search' | 'algorithm'>;
  trialDuration: Histogram<'algorithm' | 'outcome'>;
  stepDuration: Histogram<'algorithm' | 'step'>;
  launcherErrors: Counter<'operation'>;
}

/** A fresh registry with the worker's metrics (and Node's process metrics unless `processMetrics` is false). */
export function createSearchMetrics(opts: { processMetrics?: boolean } = {}): SearchMetrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'nasflow_worker_' });
  const registers = [registry];
  const trialLabels = ['search', 'algorithm'] as const;
  return {
    registry,
    trialsStarted: new Counter({ name: 'nasflow_trials_started_total', help: 'Trials launched (first attempts).', labelNames: trialLabels, registers }),
    trialsSucceeded: new Counter({ name: 'nasflow_trials_succeeded_total', help: 'Trials that finished with a result.', labelNames: trialLabels, registers }),
    trialsFailed: new Counter({
      name: 'nasflow_trials_failed_total',
      help: 'Trial attempts that failed, by class (user: counts against maxFailedTrials; infra: retried).',
      labelNames: [...trialLabels, 'failure'] as const,
      registers,
    }),
    trialsRetried: new Counter({
      name: 'nasflow_trials_retried_total',
      help: 'Trial attempts after the first (infrastructure retries).',
      labelNames: trialLabels,
      registers,
    }),
    trialsRunning: new Gauge({ name: 'nasflow_trials_running', help: 'Trials this worker is awaiting now.', labelNames: trialLabels, registers }),
    trialDuration: new Histogram({
      name: 'nasflow_trial_duration_seconds',
      help: 'Seconds a trial took (trainer time, or simulated seconds for benchmark evaluators).',
      labelNames: ['algorithm', 'outcome'] as const,
      buckets: [1, 10, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400],
      registers,
    }),
    stepDuration: new Histogram({
      name: 'nasflow_algorithm_step_duration_seconds',
      help: 'Seconds of an algorithm step (propose: controller sampling, surrogate ranking; observe: controller update, surrogate fit).',
      labelNames: ['algorithm', 'step'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    }),
    launcherErrors: new Counter({
      name: 'nasflow_launcher_errors_total',
      help: 'Errors launching or polling trials (apiserver, store or process errors; retried by Temporal).',
      labelNames: ['operation'] as const,
      registers,
    }),
  };
}

/** The `search` label of a search id. */
export function searchLabel(searchId: string, spec: Pick<SearchSpec, 'name'>): string {
  const ref = parseResourceSearchId(searchId);
  return ref ? `${ref.namespace}/${ref.name}` : `local/${spec.name}`;
}

function algorithmLabel(spec: SearchSpec): string {
  try {
    return algorithmName(spec);
  } catch {
    return 'unknown'; // a spec the worker cannot read fails in its activity; the metric still counts
  }
}

type Activities = Pick<SearchActivities, 'launchTrial' | 'awaitTrial' | 'proposeTrials' | 'observeTrials'>;

/** The same activities, counting into `m`; results and errors pass through unchanged. */
export function instrumentActivities<A extends Activities>(a: A, m: SearchMetrics, now: () => number = () => performance.now()): A {
  const labels = (r: { searchId: string; spec: SearchSpec }) => ({ search: searchLabel(r.searchId, r.spec), algorithm: algorithmLabel(r.spec) });
  const timed = <T>(step: string, r: { spec: SearchSpec }, f: () => Promise<T>): Promise<T> => {
    const start = now();
    return f().finally(() => m.stepDuration.observe({ algorithm: algorithmLabel(r.spec), step }, (now() - start) / 1000));
  };
  return {
    ...a,
    proposeTrials: ((r) => timed('propose', r, () => a.proposeTrials(r))) as A['proposeTrials'],
    observeTrials: ((r) => timed('observe', r, () => a.observeTrials(r))) as A['observeTrials'],
    launchTrial: (async (r) => {
      try {
        await a.launchTrial(r);
      } catch (err) {
        m.launcherErrors.inc({ operation: 'launch' });
        throw err;
      }
      (r.attempt > 1 ? m.trialsRetried : m.trialsStarted).inc(labels(r));
    }) as A['launchTrial'],
    awaitTrial: (async (r) => {
      const l = labels(r);
      m.trialsRunning.inc(l);
      try {
        const outcome = await a.awaitTrial(r);
        if (outcome.status === 'succeeded') m.trialsSucceeded.inc(l);
        else m.trialsFailed.inc({ ...l, failure: outcome.failure ?? 'user' });
        if (outcome.seconds !== undefined) m.trialDuration.observe({ algorithm: l.algorithm, outcome: outcome.status }, outcome.seconds);
        return outcome;
      } catch (err) {
        // A cancel or a worker shutdown is not a launcher error; anything else from the poll is.
        const name = (err as { name?: string; type?: string }).type ?? (err as { name?: string }).name;
        if (name !== 'CancelledFailure' && name !== 'TrialWaitInterrupted') m.launcherErrors.inc({ operation: 'poll' });
        throw err;
      } finally {
        m.trialsRunning.dec(l);
      }
    }) as A['awaitTrial'],
  };
}
