/**
 * `nasflow bench search`: runs an algorithm for N trials on a NAS-Bench-201 table over K seeds and
 * summarises the test accuracy (test200) of the architecture that is best by the search's own
 * signal (val12), as the benchmark's protocol prescribes (Dong & Yang 2020, Sec. 5).
 */
import { at } from '../common/indexing.js';
import { createAlgorithm, restoreAlgorithm, type AlgorithmArgs } from '../algorithms/registry.js';
import { trialIdsFor, type AlgorithmState, type SearchAlgorithm } from '../algorithms/types.js';
import { PnasSearch } from '../algorithms/pnas/pnas-search.js';
import { nb201Space, type Nb201Genotype } from '../space/nb201.js';
import { nb201Evaluator, type Evaluator } from './evaluator.js';
import { loadNb201, type Nb201Benchmark, type Nb201Table } from './nb201-table.js';
import { bestTestCurve, runSearch } from './runner.js';
import { NB201_ALGORITHM_ARGS, NB201_THRESHOLDS } from './nb201-defaults.js';
import { heldOutCorrelation } from './surrogate-check.js';

export interface BenchArgs {
  benchmark: Nb201Benchmark;
  algorithm: string;
  trials: number;
  seeds: number;
  /** First seed. Default: 0. */
  seedStart?: number;
  /** Simulated concurrent workers. Default: 1. */
  workers?: number;
  /** Per-algorithm argument overrides. Default: the tuned NB201 defaults. */
  args?: AlgorithmArgs;
  /** Data directory. Default: data/benchmarks. */
  dataDir?: string;
}

export interface ThresholdStat {
  threshold: number;
  /** Fraction of seeds whose best-by-val test accuracy reached the threshold. */
  reachedFraction: number;
  /** Median trials needed among seeds that reached it. */
  medianTrials: number | null;
}

export interface BenchSummary {
  algorithm: string;
  benchmark: string;
  trials: number;
  seeds: number;
  meanTestAccuracy: number;
  stdTestAccuracy: number;
  meanValAccuracy: number;
  thresholds: ThresholdStat[];
  wallSeconds: number;
  msPerTrial: number;
  replayCheck: 'identical' | 'diverged';
  /** PNAS only: mean Spearman correlation of the surrogate on its beams and on held-out cells. */
  surrogate?: { beamSpearman: number; heldOutSpearman: number };
}

export function benchSearch(args: BenchArgs, now: () => number): BenchSummary {
  const table = loadNb201(args.benchmark, args.dataDir);
  const evaluator = nb201Evaluator(table);
  const algoArgs = args.args ?? NB201_ALGORITHM_ARGS;
  const finals: number[] = [];
  const vals: number[] = [];
  const reachedAt: (number | null)[][] = NB201_THRESHOLDS[args.benchmark].map(() => []);
  const beamRhos: number[] = [];
  const heldRhos: number[] = [];
  const start = now();
  for (let s = 0; s < args.seeds; s++) {
    const seed = (args.seedStart ?? 0) + s;
    const algo = createAlgorithm(args.algorithm, nb201Space, seed, algoArgs);
    const trace = runSearch(algo, evaluator, { trials: args.trials, workers: args.workers, searchId: `bench-${seed}` });
    const curve = bestTestCurve(trace);
    finals.push(at(curve, curve.length - 1, 'best-test curve entry'));
    vals.push(Math.max(...trace.finished.filter((t) => !t.failed).map((t) => t.evaluation.accuracy)));
    NB201_THRESHOLDS[args.benchmark].forEach((thr, k) => {
      const i = curve.findIndex((v) => v >= thr);
      reachedAt[k]!.push(i < 0 ? null : i + 1);
    });
    if (algo instanceof PnasSearch) {
      const rhos = algo
        .correlations()
        .map((c) => c.spearman)
        .filter(Number.isFinite);
      if (rhos.length > 0) beamRhos.push(mean(rhos));
      heldRhos.push(heldOutCorrelation(algo, table, seed));
    }
  }
  const wallSeconds = (now() - start) / 1000;
  const replay = replayCheck(args.algorithm, algoArgs, evaluator, Math.min(args.trials, 40));
  return {
    algorithm: args.algorithm,
    benchmark: args.benchmark,
    trials: args.trials,
    seeds: args.seeds,
    meanTestAccuracy: mean(finals),
    stdTestAccuracy: std(finals),
    meanValAccuracy: mean(vals),
    thresholds: NB201_THRESHOLDS[args.benchmark].map((threshold, k) => {
      const hit = reachedAt[k]!.filter((v): v is number => v !== null).sort((a, b) => a - b);
      return { threshold, reachedFraction: hit.length / args.seeds, medianTrials: hit.length ? hit[Math.floor((hit.length - 1) / 2)]! : null };
    }),
    wallSeconds,
    msPerTrial: (wallSeconds * 1000) / (args.seeds * args.trials),
    replayCheck: replay ? 'identical' : 'diverged',
    ...(beamRhos.length > 0 ? { surrogate: { beamSpearman: mean(beamRhos), heldOutSpearman: mean(heldRhos) } } : {}),
  };
}

/**
 * Pure tell/ask replay: `steps` one-at-a-time steps straight through, versus steps/2, a JSON round
 * trip of the state, a restore and steps/2 more. True when the proposals are identical.
 */
export function replayCheck(name: string, args: AlgorithmArgs, evaluator: Evaluator<Nb201Genotype>, steps: number): boolean {
  const straight = createAlgorithm(name, nb201Space, 12345, args);
  const a = stepHashes(straight, evaluator, 0, steps);
  const first = createAlgorithm(name, nb201Space, 12345, args);
  const b1 = stepHashes(first, evaluator, 0, Math.floor(steps / 2));
  const state = JSON.parse(JSON.stringify(first.state())) as AlgorithmState;
  const resumed = restoreAlgorithm(nb201Space, state);
  const b2 = stepHashes(resumed, evaluator, Math.floor(steps / 2), steps - Math.floor(steps / 2));
  return JSON.stringify(a) === JSON.stringify([...b1, ...b2]);
}

function stepHashes(algo: SearchAlgorithm<Nb201Genotype>, evaluator: Evaluator<Nb201Genotype>, from: number, steps: number): string[] {
  const out: string[] = [];
  for (let i = from; i < from + steps; i++) {
    const [p] = algo.propose(trialIdsFor('replay', i, 1));
    if (!p) continue;
    out.push(p.hash);
    const e = evaluator.evaluate(p.genotype);
    algo.observe([{ trialId: p.trialId, status: 'succeeded', accuracy: e.accuracy, cost: e.cost }]);
  }
  return out;
}

export function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

export function std(v: readonly number[]): number {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
}

export type { Nb201Table };
