/**
 * Constrained search on NAS-Bench-201: the MnasNet reward ACC x (COST/T)^w (Tan et al. 2019, Sec. 3,
 * Eq. 2) with COST the cell's FLOPs, parameters or measured latency on a named device
 * (nb201-hwlatency.json). Three searches get the same reward: random search (it ignores it),
 * regularized evolution (its tournament ranks by the reward) and the MnasNet RL controller.
 *
 * Reported at each checkpoint (e.g. 100 and 300 trials), per algorithm, mean over seeds:
 * - the test200 accuracy of the best feasible (COST <= T) cell found, best by val12 — the signal a
 *   user has — against the table's best feasible cell by val12 and by test200;
 * - the share of proposals within the target.
 */
import { createAlgorithm } from '../algorithms/registry.js';
import { mnasnetReward } from '../algorithms/rl/reward.js';
import type { ControllerArgs } from '../algorithms/rl/controller-args.js';
import { nb201Space, type Nb201Genotype } from '../space/nb201.js';
import { nb201Evaluator, nb201RowCost, type Evaluation, type Evaluator, type Nb201Cost } from './evaluator.js';
import { loadNb201, loadNb201Latency, type Nb201Benchmark, type Nb201Table } from './nb201-table.js';
import { NB201_ALGORITHM_ARGS } from './nb201-defaults.js';
import { runSearch } from './runner.js';
import { mean, std } from './search-bench.js';

export type CostMetric = Exclude<Nb201Cost, 'none'>;
export const COST_BENCH_ALGORITHMS = ['random', 'regularized-evolution', 'mnasnet-rl'] as const;
export type CostBenchAlgorithm = (typeof COST_BENCH_ALGORITHMS)[number];

export interface CostBenchArgs {
  benchmark: Nb201Benchmark;
  cost: CostMetric;
  /** With cost `latency`: a device of nb201-hwlatency.json (e.g. `pixel3`). */
  device?: string;
  /** Target T in the cost's unit (MFLOPs, M parameters, ms). */
  target: number;
  /** Reward exponents: soft -0.07/-0.07, hard 0/-1 (MnasNet Sec. 3). */
  alpha: number;
  beta: number;
  /** Trial counts at which to report; the searches run to the largest. */
  checkpoints: readonly number[];
  seeds: number;
  /** First seed. Default: 0. */
  seedStart?: number;
  /** Controller settings (the reward is set from target/alpha/beta). */
  controller: ControllerArgs;
  /** Default: all three. */
  algorithms?: readonly CostBenchAlgorithm[];
}

/** The table's own best feasible cells: what a search could at best find. */
export interface FeasibleOptimum {
  /** Share of all cells within the target. */
  feasibleShare: number;
  /** test200 of the feasible cell with the best val12. */
  testOfBestByVal12: number;
  /** Best test200 among feasible cells. */
  bestTest: number;
}

export interface CheckpointStat {
  trials: number;
  /** Mean over seeds of the test200 of the best-by-val12 feasible cell found (seeds with none excluded). */
  bestFeasibleTest: number;
  bestFeasibleTestStd: number;
  /** Seeds that found no feasible cell. */
  seedsWithoutFeasible: number;
  /** Fraction of seeds whose best feasible is within 0.3 points of the table's best feasible by val12. */
  within03: number;
  /** Mean over seeds of the share of proposals within the target. */
  withinTargetShare: number;
}

export interface CostBenchRow {
  algorithm: CostBenchAlgorithm;
  checkpoints: CheckpointStat[];
}

export interface CostBenchReport {
  optimum: FeasibleOptimum;
  rows: CostBenchRow[];
}

/** The cost column the search sees: FLOPs/params from the table, latency from the device's column. */
export function costColumn(cost: CostMetric, device: string | undefined): Float64Array | undefined {
  if (cost !== 'latency') return undefined;
  if (device === undefined) throw new Error('--device: cost latency needs a device of nb201-hwlatency.json (e.g. pixel3)');
  return loadNb201Latency(device);
}

export function feasibleOptimum(table: Nb201Table, cost: CostMetric, target: number, latency?: Float64Array): FeasibleOptimum {
  let feasible = 0;
  let bestVal = -Infinity;
  let testOfBestVal = NaN;
  let bestTest = NaN;
  for (const row of table.rows) {
    if (nb201RowCost(row, cost, latency) > target) continue;
    feasible++;
    if (row.val12 > bestVal) [bestVal, testOfBestVal] = [row.val12, row.test200];
    if (!(row.test200 <= bestTest)) bestTest = row.test200;
  }
  return { feasibleShare: feasible / table.rows.length, testOfBestByVal12: testOfBestVal, bestTest };
}

/** Keeps the table's val12 beside the search signal (evolution's signal becomes the reward). */
interface Scored extends Evaluation {
  readonly val12: number;
}

function scoredEvaluator(base: Evaluator<Nb201Genotype>, reward: ((e: Evaluation) => number) | null): Evaluator<Nb201Genotype> {
  return {
    evaluate(g) {
      const e = base.evaluate(g);
      const scored: Scored = { ...e, val12: e.accuracy, accuracy: reward ? reward(e) : e.accuracy };
      return scored;
    },
  };
}

export function costBench(a: CostBenchArgs): CostBenchReport {
  const table = loadNb201(a.benchmark);
  const latency = costColumn(a.cost, a.device);
  const base = nb201Evaluator(table, { cost: a.cost, latency });
  const optimum = feasibleOptimum(table, a.cost, a.target, latency);
  const last = Math.max(...a.checkpoints);
  const reward = { kind: 'mnasnet' as const, target: a.target, alpha: a.alpha, beta: a.beta };
  const rewardOf = (e: Evaluation) => mnasnetReward(e.accuracy, e.cost as number, a.target, a.alpha, a.beta);
  const rows = (a.algorithms ?? COST_BENCH_ALGORITHMS).map((algorithm): CostBenchRow => {
    // Evolution ranks its tournament by the search signal, so it gets the reward as its signal.
    const evaluator = scoredEvaluator(base, algorithm === 'regularized-evolution' ? rewardOf : null);
    const traces = Array.from({ length: a.seeds }, (_, s) => {
      const seed = (a.seedStart ?? 0) + s;
      const args = { ...NB201_ALGORITHM_ARGS, 'mnasnet-rl': { ...a.controller, reward } };
      const algo = createAlgorithm(algorithm, nb201Space, seed, args);
      return runSearch(algo, evaluator, { trials: last, searchId: `cost-${seed}` }).finished.filter((t) => !t.failed);
    });
    const checkpoints = a.checkpoints.map((n): CheckpointStat => {
      const best: number[] = [];
      const share: number[] = [];
      for (const trace of traces) {
        const seen = trace.slice(0, n).map((t) => t.evaluation as Scored);
        const feasible = seen.filter((e) => (e.cost as number) <= a.target);
        share.push(feasible.length / seen.length);
        if (feasible.length) best.push(feasible.reduce((x, y) => (y.val12 > x.val12 ? y : x)).test);
      }
      return {
        trials: n,
        bestFeasibleTest: mean(best),
        bestFeasibleTestStd: std(best),
        seedsWithoutFeasible: a.seeds - best.length,
        within03: best.filter((t) => t >= optimum.testOfBestByVal12 - 0.3).length / a.seeds,
        withinTargetShare: mean(share),
      };
    });
    return { algorithm, checkpoints };
  });
  return { optimum, rows };
}
