/**
 * MnasNet-reward check on NAS-Bench-201: an RL controller rewarded by ACC x (COST/T)^w (Tan et al.
 * 2019, Eq. 2) against random search under the same cost target. Reports how often trials land
 * within the target and whether the best-by-reward architecture does.
 */
import { createAlgorithm } from '../algorithms/registry.js';
import { mnasnetReward } from '../algorithms/rl/reward.js';
import type { ControllerArgs } from '../algorithms/rl/controller-args.js';
import { nb201Space } from '../space/nb201.js';
import { nb201Evaluator, type Nb201Cost } from './evaluator.js';
import { loadNb201, type Nb201Benchmark } from './nb201-table.js';
import { runSearch } from './runner.js';
import { mean } from './search-bench.js';

export interface CostBenchArgs {
  benchmark: Nb201Benchmark;
  cost: Exclude<Nb201Cost, 'none' | 'latency'>;
  target: number;
  alpha: number;
  beta: number;
  trials: number;
  seeds: number;
  /** Controller settings (reward is set from target/alpha/beta). */
  controller: ControllerArgs;
}

export interface CostBenchRow {
  algorithm: string;
  /** Mean over seeds of the fraction of trials with cost <= target. */
  withinTargetFraction: number;
  /** Fraction of seeds whose best-by-reward architecture is within the target. */
  bestWithinTarget: number;
  /** Mean test200 of the best-by-reward architecture. */
  bestTest: number;
  /** Mean cost of the best-by-reward architecture. */
  bestCost: number;
}

export function costBench(a: CostBenchArgs): CostBenchRow[] {
  const evaluator = nb201Evaluator(loadNb201(a.benchmark), { cost: a.cost });
  const reward = { kind: 'mnasnet' as const, target: a.target, alpha: a.alpha, beta: a.beta };
  return (['random', 'mnasnet-rl'] as const).map((algorithm) => {
    const within: number[] = [];
    const bestIn: number[] = [];
    const bestTest: number[] = [];
    const bestCost: number[] = [];
    for (let seed = 0; seed < a.seeds; seed++) {
      const algo = createAlgorithm(algorithm, nb201Space, seed, { 'mnasnet-rl': { ...a.controller, reward } });
      const trace = runSearch(algo, evaluator, { trials: a.trials, searchId: `cost-${seed}` });
      const ok = trace.finished.filter((t) => !t.failed);
      within.push(ok.filter((t) => (t.evaluation.cost as number) <= a.target).length / ok.length);
      const score = (t: (typeof ok)[number]) => mnasnetReward(t.evaluation.accuracy, t.evaluation.cost as number, a.target, a.alpha, a.beta);
      const best = ok.reduce((x, y) => (score(y) > score(x) ? y : x));
      bestIn.push((best.evaluation.cost as number) <= a.target ? 1 : 0);
      bestTest.push(best.evaluation.test);
      bestCost.push(best.evaluation.cost as number);
    }
    return { algorithm, withinTargetFraction: mean(within), bestWithinTarget: mean(bestIn), bestTest: mean(bestTest), bestCost: mean(bestCost) };
  });
}
