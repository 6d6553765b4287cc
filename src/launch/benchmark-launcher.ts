/**
 * Answers trials from a tabular benchmark (NAS-Bench-201) instead of training: `launch` looks the
 * architecture up and writes result.json with the time the answer becomes visible, scaled from the
 * benchmark's simulated training time; `poll` reports the trial finished once that time passes.
 * The search sees the 12-epoch validation accuracy; the 200-epoch test accuracy is reported only.
 */
import { nb201Evaluator, type Nb201Cost } from '../bench/evaluator.js';
import { loadNb201, type Nb201Benchmark, type Nb201Table } from '../bench/nb201-table.js';
import type { Nb201Genotype } from '../space/nb201.js';
import { getSpace } from '../space/index.js';
import { getJson, putJson, isObjectNotFound, type ObjectStore } from '../store/object-store.js';
import { trialResultKey, trialSpecKey } from '../store/layout.js';
import type { Launcher, TrialRef, TrialState } from './launcher.js';

export interface BenchmarkLauncherDeps {
  store(spec: TrialRef['spec']): ObjectStore;
  now(): number;
}

const tables = new Map<string, Nb201Table>();

function table(name: Nb201Benchmark): Nb201Table {
  let t = tables.get(name);
  if (!t) {
    t = loadNb201(name);
    tables.set(name, t);
  }
  return t;
}

export class BenchmarkLauncher implements Launcher {
  constructor(private readonly deps: BenchmarkLauncherDeps) {}

  async launch(trial: TrialRef): Promise<void> {
    const store = this.deps.store(trial.spec);
    const resultKey = trialResultKey(trial.searchId, trial.trialId);
    if (await store.exists(resultKey)) return;
    const trialSpec = (await getJson(store, trialSpecKey(trial.searchId, trial.trialId))) as { genotype: unknown };
    const genotype = getSpace('nb201').parse(trialSpec.genotype) as Nb201Genotype;
    const costMetric = trial.spec.algorithm.mnasnetRL?.cost.metric;
    const cost: Nb201Cost = costMetric === 'flops' ? 'flops' : costMetric === 'params' ? 'params' : 'none';
    const evaluation = nb201Evaluator(table(trial.spec.evaluator.benchmark!), { cost }).evaluate(genotype);
    const scale = trial.spec.evaluator.secondsPerSimulatedHour / 3600;
    await putJson(store, resultKey, {
      source: 'benchmark',
      benchmark: trial.spec.evaluator.benchmark,
      valAccuracy: evaluation.accuracy / 100,
      testAccuracy: evaluation.test / 100,
      ...(evaluation.cost !== undefined ? { cost: evaluation.cost } : {}),
      simulatedSeconds: evaluation.seconds,
      readyAtMs: this.deps.now() + Math.round(evaluation.seconds * scale * 1000),
    });
  }

  async poll(trial: TrialRef): Promise<TrialState> {
    try {
      const result = (await getJson(this.deps.store(trial.spec), trialResultKey(trial.searchId, trial.trialId))) as { readyAtMs: number };
      return this.deps.now() >= result.readyAtMs ? { state: 'exited', exitCode: 0 } : { state: 'running' };
    } catch (err) {
      if (isObjectNotFound(err)) return { state: 'missing' };
      throw err;
    }
  }

  async cancel(): Promise<void> {
    // Nothing runs: a benchmark answer is a table lookup.
  }
}
