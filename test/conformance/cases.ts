/**
 * The algorithm x space combinations the conformance suite runs, and the deterministic driver that
 * feeds them: batches of 1-3 ids per step, results delivered in reverse order with the newest trial
 * left running across steps (out of order), and a hash-derived 10% of trials failing.
 *
 * Shared by the in-process suite and the child process (`run-steps.ts`) that checks
 * reproducibility across processes.
 */
import { createAlgorithm, restoreAlgorithm, type AlgorithmArgs } from '../../src/algorithms/registry.js';
import { trialIdsFor, type AlgorithmState, type SearchAlgorithm, type TrialResult } from '../../src/algorithms/types.js';
import { pnasProgressiveSpace } from '../../src/algorithms/pnas/pnas-progression.js';
import { fnv1a32 } from '../../src/common/rng.js';
import type { SearchSpace } from '../../src/space/types.js';
import { nb201Space } from '../../src/space/nb201.js';
import { nasnetSpace } from '../../src/space/nasnet.js';
import { mnasnetSpace } from '../../src/space/mnasnet.js';
import { ponasSpace } from '../../src/space/ponas.js';

export interface ConformanceCase {
  readonly name: string;
  readonly algorithm: string;
  readonly space: SearchSpace<unknown>;
  readonly args: AlgorithmArgs;
  /** Steps of the long restore test (each proposes 1-3 trials). */
  readonly steps: number;
}

const small = { hidden: 16, batchSize: 4, lr: 0.01 };
// The RL controllers on the large spaces train on the pure-JS backend: 50 + 50 steps (about 25
// controller updates before the restore) cost what 100 + 100 cost on NB201.
const RL_LARGE_SPACE_STEPS = 50;

export const CASES: readonly ConformanceCase[] = [
  { name: 'random/nb201', algorithm: 'random', space: nb201Space, args: {}, steps: 100 },
  {
    name: 'regularized-evolution/nb201',
    algorithm: 'regularized-evolution',
    space: nb201Space,
    args: { 'regularized-evolution': { population: 10, sample: 3 } },
    steps: 100,
  },
  { name: 'nasnet-rl/nb201', algorithm: 'nasnet-rl', space: nb201Space, args: { 'nasnet-rl': { ...small, method: 'ppo' } }, steps: 100 },
  {
    name: 'nasnet-rl/nasnet',
    algorithm: 'nasnet-rl',
    space: nasnetSpace,
    args: { 'nasnet-rl': { ...small, method: 'reinforce' } },
    steps: RL_LARGE_SPACE_STEPS,
  },
  {
    name: 'mnasnet-rl/mnasnet',
    algorithm: 'mnasnet-rl',
    space: mnasnetSpace,
    args: { 'mnasnet-rl': { ...small, reward: { kind: 'mnasnet', target: 75 } } },
    steps: RL_LARGE_SPACE_STEPS,
  },
  {
    name: 'pnas/nb201',
    algorithm: 'pnas',
    space: nb201Space,
    args: { pnas: { beam: 6, initial: 8, pool: 200, surrogate: { kind: 'lstm', hidden: 8, epochs: 3 } } },
    steps: 100,
  },
  {
    name: 'pnas/pnas-progressive',
    algorithm: 'pnas',
    space: pnasProgressiveSpace({ maxBlocks: 3 }) as SearchSpace<unknown>,
    args: { pnas: { beam: 4, maxCandidates: 300, surrogate: { kind: 'mlp-ensemble', hidden: 8, members: 2, epochs: 2 } } },
    steps: 100,
  },
  { name: 'ponas/nb201', algorithm: 'ponas', space: nb201Space, args: {}, steps: 100 },
  { name: 'ponas/ponas', algorithm: 'ponas', space: ponasSpace, args: {}, steps: 100 },
];

export function findCase(name: string): ConformanceCase {
  const c = CASES.find((x) => x.name === name);
  if (!c) throw new Error(`unknown conformance case ${name}`);
  return c;
}

export function create(c: ConformanceCase, seed: number): SearchAlgorithm<unknown> {
  return createAlgorithm(c.algorithm, c.space, seed, c.args);
}

export function restore(c: ConformanceCase, state: AlgorithmState): SearchAlgorithm<unknown> {
  return restoreAlgorithm(c.space, state);
}

/** Deterministic fake evaluation from the canonical hash: accuracy 50..100, cost 40..120, 10% fail. */
export function fakeResult(trialId: string, hash: string): TrialResult {
  const h = fnv1a32(hash);
  if (h % 10 === 0) return { trialId, status: 'failed' };
  return { trialId, status: 'succeeded', accuracy: 50 + (h % 5000) / 100, cost: 40 + ((h >>> 13) % 8000) / 100 };
}

/** Driver state that travels with the algorithm state (the workflow's view of running trials). */
export interface DriverState {
  running: { trialId: string; hash: string }[];
  proposed: string[];
  failures: number;
}

export function newDriver(): DriverState {
  return { running: [], proposed: [], failures: 0 };
}

/** Runs steps [from, from + steps): propose 1-3, then deliver all but the newest in reverse. */
export function drive(algo: SearchAlgorithm<unknown>, d: DriverState, from: number, steps: number): void {
  for (let step = from; step < from + steps; step++) {
    const proposals = algo.propose(trialIdsFor('conf', step, 1 + (step % 3)));
    for (const p of proposals) {
      d.proposed.push(p.hash);
      d.running.push({ trialId: p.trialId, hash: p.hash });
    }
    // Keep the newest trial running unless nothing was proposed (a round-based algorithm waits).
    const keep = proposals.length > 0 ? 1 : 0;
    const deliver = d.running.splice(0, d.running.length - keep).reverse();
    const results = deliver.map((t) => fakeResult(t.trialId, t.hash));
    d.failures += results.filter((r) => r.status === 'failed').length;
    algo.observe(results);
  }
}
