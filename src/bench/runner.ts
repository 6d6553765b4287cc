/**
 * Replays a search against a benchmark evaluator on a simulated clock: `workers` trials run at
 * once, each for its simulated training time, and results reach the algorithm in finishing order
 * (so with several workers they arrive out of proposal order, as on a cluster).
 */
import { Rng } from '../common/rng.js';
import { trialIdsFor, type SearchAlgorithm } from '../algorithms/types.js';
import type { Evaluation, Evaluator } from './evaluator.js';

export interface RunArgs {
  /** Finished trials to run. */
  trials: number;
  /** Concurrent simulated workers. Default: 1 (the benchmark's sequential protocol). */
  workers?: number;
  /** Probability that a trial fails (deterministic per trial id). Default: 0. */
  failureRate?: number;
  /** Default: `bench`. */
  searchId?: string;
}

export interface FinishedTrial {
  readonly trialId: string;
  readonly hash: string;
  readonly failed: boolean;
  readonly evaluation: Evaluation;
}

export interface RunTrace {
  /** Finished trials in arrival order. */
  readonly finished: FinishedTrial[];
  /** Proposed hashes in proposal order. */
  readonly proposed: string[];
  /** Simulated seconds until the last result. */
  readonly simulatedSeconds: number;
}

export function runSearch<G>(algo: SearchAlgorithm<G>, evaluator: Evaluator<G>, args: RunArgs): RunTrace {
  const workers = args.workers ?? 1;
  const failureRate = args.failureRate ?? 0;
  const searchId = args.searchId ?? 'bench';
  const running: { trialId: string; hash: string; finish: number; evaluation: Evaluation }[] = [];
  const finished: FinishedTrial[] = [];
  const proposed: string[] = [];
  let clock = 0;
  let round = 0;
  while (finished.length < args.trials) {
    const wanted = Math.min(workers - running.length, args.trials - finished.length - running.length);
    if (wanted > 0) {
      for (const p of algo.propose(trialIdsFor(searchId, round++, wanted))) {
        const evaluation = evaluator.evaluate(p.genotype);
        proposed.push(p.hash);
        running.push({ trialId: p.trialId, hash: p.hash, finish: clock + evaluation.seconds, evaluation });
      }
    }
    if (running.length === 0) break; // the algorithm has nothing more to propose
    running.sort((a, b) => a.finish - b.finish || (a.trialId < b.trialId ? -1 : 1));
    const t = running.shift()!;
    clock = t.finish;
    const failed = failureRate > 0 && Rng.seeded(t.trialId).next() < failureRate;
    algo.observe([
      failed ? { trialId: t.trialId, status: 'failed' } : { trialId: t.trialId, status: 'succeeded', accuracy: t.evaluation.accuracy, cost: t.evaluation.cost },
    ]);
    finished.push({ trialId: t.trialId, hash: t.hash, failed, evaluation: t.evaluation });
  }
  return { finished, proposed, simulatedSeconds: clock };
}

/** Test accuracy of the best-by-signal trial after each finished trial (NaN before the first). */
export function bestTestCurve(trace: RunTrace, signal: (e: Evaluation) => number = (e) => e.accuracy): number[] {
  let bestSignal = -Infinity;
  let bestTest = NaN;
  return trace.finished.map((t) => {
    if (!t.failed && signal(t.evaluation) > bestSignal) {
      bestSignal = signal(t.evaluation);
      bestTest = t.evaluation.test;
    }
    return bestTest;
  });
}
