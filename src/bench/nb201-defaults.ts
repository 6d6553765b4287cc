/**
 * Algorithm settings used on NAS-Bench-201 and the accuracy thresholds reported per benchmark.
 * The settings were tuned on CIFAR-10 with the benchmark's protocol (the search sees only val12;
 * test200 is reported), on seeds 1000+ disjoint from the reported seeds 0..K-1.
 */
import type { AlgorithmArgs } from '../algorithms/registry.js';
import type { Nb201Benchmark } from './nb201-table.js';

export const NB201_ALGORITHM_ARGS: AlgorithmArgs = {
  'regularized-evolution': { population: 20, sample: 5 },
  'nasnet-rl': { hidden: 32, lr: 0.02, batchSize: 5, method: 'reinforce', entropy: 0.0001, baselineDecay: 0.9 },
  pnas: { beam: 10, initial: 20, pool: 1000, surrogate: { kind: 'mlp-ensemble', hidden: 16, members: 3, epochs: 60, batch: 16, lr: 0.01 } },
  ponas: {},
};

export const NB201_THRESHOLDS: Record<Nb201Benchmark, number[]> = {
  'nb201-cifar10': [93.5, 93.8, 94.0],
  'nb201-cifar100': [71.0, 72.0, 73.0],
  'nb201-imagenet16-120': [44.0, 45.0, 46.0],
};
