/**
 * Answers trials from a tabular benchmark (NAS-Bench-201) instead of training: `launch` looks the
 * architecture up and writes result.json with the time the answer becomes visible, scaled from the
 * benchmark's simulated training time; `poll` reports the trial finished once that time passes.
 * The search sees the 12-epoch validation accuracy; the 200-epoch test accuracy is reported only.
 */
import { getJson, putJson, isObjectNotFound, type ObjectStore } from '../store/object-store.js';
import { trialResultKey, trialSpecKey } from '../api/store-layout.js';
import { benchmarkResultSchema, type BenchmarkResult } from '../api/trial-result.js';
import { trialSpecSchema } from '../api/trial-spec.js';
import { answerTrial } from './benchmark-answer.js';
import type { Launcher, TrialRef, TrialState } from './launcher.js';

export interface BenchmarkLauncherDeps {
  store(spec: TrialRef['spec']): ObjectStore;
  now(): number;
}

export class BenchmarkLauncher implements Launcher {
  constructor(private readonly deps: BenchmarkLauncherDeps) {}

  async launch(trial: TrialRef): Promise<void> {
    const store = this.deps.store(trial.spec);
    const resultKey = trialResultKey(trial.searchId, trial.trialId);
    if (await store.exists(resultKey)) return;
    const trialSpec = trialSpecSchema.parse(await getJson(store, trialSpecKey(trial.searchId, trial.trialId)));
    const { delayMs, ...answer } = answerTrial(trial.spec, trialSpec.genotype);
    const result: BenchmarkResult = { ...answer, readyAtMs: this.deps.now() + delayMs };
    await putJson(store, resultKey, result);
  }

  async poll(trial: TrialRef): Promise<TrialState> {
    try {
      const result = benchmarkResultSchema.parse(await getJson(this.deps.store(trial.spec), trialResultKey(trial.searchId, trial.trialId)));
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
