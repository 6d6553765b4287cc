/**
 * A corpus of NeuralArchitectureSearch specs, valid and invalid, covering every field rule and
 * every cross-field rule of src/api/spec-rules.ts. The CLI validator and the real apiserver must
 * give the same verdict on each (spec-corpus.test.ts); the fuzz test mutates the valid ones.
 */

export interface CorpusCase {
  title: string;
  valid: boolean;
  /** The resource's `spec`. */
  spec: Record<string, unknown>;
  /** metadata.name; default: derived from the case index. */
  name?: string;
}

/** Every macro field, set to a value other than its default. */
export const FULL_MACRO = {
  cellsPerStage: 2,
  filters: 16,
  classes: 100,
  stem: 'imagenet',
  stemMultiplier: 2,
  skipReductionLayerInput: true,
  auxHead: true,
  denseDropoutKeepProb: 0.5,
  numReductionLayers: 3,
  stemFilters: 24,
  headFilters: 1024,
  dropout: 0.25,
  activation: 'relu6',
  seRule: 'expanded',
} as const;

const bench = {
  algorithm: { random: {} },
  space: 'nb201',
  evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' },
  budget: { maxTrials: 10 },
  storage: 's3://bucket/searches',
};
const train = {
  algorithm: { nasnetRL: {} },
  space: 'nasnet',
  evaluator: { type: 'train' },
  dataset: 's3://bucket/cifar10',
  budget: { maxTrials: 10 },
  storage: 's3://bucket/searches',
};
const ponas = { ...train, algorithm: { ponas: {} }, space: 'ponas' };

const with_ = (base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> => ({ ...base, ...patch });
const budget = (b: Record<string, unknown>): Record<string, unknown> => with_(bench, { budget: b });
const template = (t: Record<string, unknown>): Record<string, unknown> => with_(train, { template: t });
const trial = (t: Record<string, unknown>): Record<string, unknown> => with_(train, { trial: t });
const storage = (s: string): Record<string, unknown> => with_(bench, { storage: s });

export const CORPUS: readonly CorpusCase[] = [
  // Valid documents.
  { title: 'a minimal benchmark search', valid: true, spec: bench },
  { title: 'a trained search with every macro field', valid: true, spec: with_(train, { macro: FULL_MACRO }) },
  {
    title: 'a full recipe with rmsprop',
    valid: true,
    spec: trial({
      epochs: 3,
      batchSize: 64,
      optimizer: { type: 'rmsprop', rho: 0.8, epsilon: 0.01 },
      lr: { schedule: 'exponential', decayRate: 0.9 },
      imageSize: 16,
      augment: { flip: false, cutout: 8 },
      batchNormMomentum: 0.9,
    }),
  },
  { title: 'sgd-momentum with nesterov', valid: true, spec: trial({ optimizer: { type: 'sgd-momentum', nesterov: true } }) },
  {
    title: 'mnasnetRL with a flops target on the benchmark',
    valid: true,
    spec: with_(bench, { algorithm: { mnasnetRL: { cost: { metric: 'flops', target: 100 } } } }),
  },
  {
    title: 'mnasnetRL with a latency target, trained',
    valid: true,
    spec: with_(train, { space: 'mnasnet', algorithm: { mnasnetRL: { hidden: 32, cost: { metric: 'latency', target: 5, constraint: 'hard' } } } }),
  },
  {
    title: 'PONAS with budget, cost and supernet on space ponas',
    valid: true,
    spec: with_(ponas, {
      algorithm: { ponas: { budget: 300, cost: { metric: 'params', inputSize: 224 }, supernet: { layers: 3, candidates: [0, 5], metaTrial: { epochs: 2 } } } },
    }),
  },
  { title: 'PNAS and evolution settings', valid: true, spec: with_(bench, { algorithm: { pnas: { beam: 4, surrogate: 'lstm' } } }) },
  { title: 'the default maxFailedTrials with two trials', valid: true, spec: budget({ maxTrials: 2 }) },
  {
    title: 'final training at N@P scale',
    valid: true,
    spec: with_(train, { final: { topK: 3, macro: { cellsPerStage: 6, filters: 32, auxHead: true }, trial: { epochs: 600, dropPathKeepProb: 0.6 } } }),
  },
  { title: 'final with its defaults', valid: true, spec: with_(train, { final: {} }) },
  { title: 'four trained trials per GPU', valid: true, spec: trial({ perGpu: 4 }) },
  { title: 'perGpu 1 on the benchmark', valid: true, spec: with_(bench, { trial: { perGpu: 1 } }) },
  {
    title: 'latency measured on a separate device pool',
    valid: true,
    spec: with_(train, { latency: { device: 'pool', warmup: 10, runs: 100, template: { nodeSelector: { 'nasflow.io/device': 'pixel' } } } }),
  },
  { title: 'latency protocol measured by the trainer', valid: true, spec: with_(train, { latency: { runs: 50 } }) },
  {
    title: 'maxFailedTrials equal to maxTrials',
    valid: true,
    spec: budget({ maxTrials: 5, maxFailedTrials: 5, parallelism: 5, trialRetries: 0, maxDurationSeconds: 60 }),
  },
  { title: 'file storage', valid: true, spec: storage('file:///var/nasflow') },
  { title: 'a relative storage path', valid: true, spec: storage('relative/store') },
  { title: 'an s3 bucket with dots', valid: true, spec: storage('s3://my.bucket-1/p') },
  {
    title: 'quantities as strings and integers',
    valid: true,
    spec: template({
      resources: { requests: { cpu: '500m', memory: '1.5Gi', 'ephemeral-storage': '1e3' }, limits: { 'nvidia.com/gpu': 1, cpu: '2', memory: '.5Gi' } },
    }),
  },
  {
    title: 'a full pod template',
    valid: true,
    spec: template({
      image: 'nasflow:1',
      imagePullPolicy: 'Never',
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: {} },
      priorityClassName: 'low',
      serviceAccountName: 'trainer',
      ttlSecondsAfterFinished: 60,
    }),
  },
  { title: 'a storage secret and suspend', valid: true, spec: with_(bench, { storageSecretRef: { name: 's3' }, suspend: true, seed: 4294967295 }) },
  {
    title: 'benchmark trials as processes',
    valid: true,
    spec: with_(bench, { evaluator: { type: 'benchmark', benchmark: 'nb201-cifar100', runAs: 'process', secondsPerSimulatedHour: 2 } }),
  },

  // Field rules.
  { title: 'no algorithm', valid: false, spec: with_(bench, { algorithm: {} }) },
  { title: 'two algorithms', valid: false, spec: with_(bench, { algorithm: { random: {}, evolution: {} } }) },
  { title: 'an unknown algorithm', valid: false, spec: with_(bench, { algorithm: { darts: {} } }) },
  { title: 'a setting random does not take', valid: false, spec: with_(bench, { algorithm: { random: { seed: 1 } } }) },
  { title: 'an unknown top-level field', valid: false, spec: with_(bench, { budgett: { maxTrials: 3 } }) },
  { title: 'a misspelt recipe field', valid: false, spec: trial({ epochz: 3 }) },
  { title: 'the old macro key N', valid: false, spec: with_(train, { macro: { N: 2 } }) },
  { title: 'the old macro key F', valid: false, spec: with_(train, { macro: { F: 16 } }) },
  { title: 'N as kubectl reads it (false)', valid: false, spec: with_(train, { macro: { false: 2 } }) },
  { title: 'cellsPerStage above 12', valid: false, spec: with_(train, { macro: { cellsPerStage: 13 } }) },
  { title: 'a bad activation', valid: false, spec: with_(train, { macro: { activation: 'gelu' } }) },
  { title: 'parallelism 0', valid: false, spec: budget({ maxTrials: 5, parallelism: 0 }) },
  { title: 'no maxTrials', valid: false, spec: budget({ parallelism: 2 }) },
  { title: 'a negative seed', valid: false, spec: with_(bench, { seed: -1 }) },
  { title: 'a seed above 2^32-1', valid: false, spec: with_(bench, { seed: 4294967296 }) },
  { title: 'fractional epochs', valid: false, spec: trial({ epochs: 1.5 }) },
  { title: 'valFraction 1', valid: false, spec: trial({ valFraction: 1 }) },
  { title: 'imageSize 12', valid: false, spec: trial({ imageSize: 12 }) },
  { title: 'an unknown optimizer', valid: false, spec: trial({ optimizer: { type: 'adam' } }) },
  { title: 'sgd-momentum with rho', valid: false, spec: trial({ optimizer: { type: 'sgd-momentum', rho: 0.9 } }) },
  { title: 'rmsprop with nesterov', valid: false, spec: trial({ optimizer: { type: 'rmsprop', nesterov: true } }) },
  { title: 'an optimizer without type', valid: false, spec: trial({ optimizer: { momentum: 0.5 } }) },
  { title: 'a bad space', valid: false, spec: with_(bench, { space: 'darts' }) },
  { title: 'a bad runAs', valid: false, spec: with_(bench, { evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10', runAs: 'thread' } }) },
  { title: 'no storage', valid: false, spec: (({ storage: _s, ...rest }) => rest)(bench) },
  { title: 'storage over 1024 characters', valid: false, spec: storage(`/tmp/${'x'.repeat(1100)}`) },
  { title: 'a quantity 1.2.3', valid: false, spec: template({ resources: { limits: { cpu: '1.2.3' } } }) },
  { title: 'a quantity abc', valid: false, spec: template({ resources: { requests: { memory: 'abc' } } }) },
  { title: 'a negative quantity string', valid: false, spec: template({ resources: { requests: { cpu: '-1' } } }) },
  { title: 'a negative quantity integer', valid: false, spec: template({ resources: { limits: { 'nvidia.com/gpu': -1 } } }) },
  { title: 'a quantity with a bad suffix', valid: false, spec: template({ resources: { limits: { memory: '1kb' } } }) },
  { title: 'a misspelt template field', valid: false, spec: template({ imagee: 'x' }) },
  { title: 'a bad toleration operator', valid: false, spec: template({ tolerations: [{ operator: 'In' }] }) },
  { title: 'a storage secret without a name', valid: false, spec: with_(bench, { storageSecretRef: {} }) },
  { title: 'a name too long for Job names', valid: false, spec: bench, name: 'a'.repeat(41) },

  // Cross-field rules (src/api/spec-rules.ts), one case each.
  { title: 'a benchmark evaluator without its table', valid: false, spec: with_(bench, { evaluator: { type: 'benchmark' } }) },
  { title: 'a benchmark outside nb201', valid: false, spec: with_(bench, { space: 'nasnet' }) },
  {
    title: 'a latency target on the benchmark without a device',
    valid: false,
    spec: with_(bench, { algorithm: { mnasnetRL: { cost: { metric: 'latency', target: 5 } } } }),
  },
  { title: 'training without a dataset', valid: false, spec: (({ dataset: _d, ...rest }) => rest)(train) },
  { title: 'storage with an unsupported scheme', valid: false, spec: storage('ftp://host/store') },
  { title: 'storage with a scheme but no //', valid: false, spec: storage('S3:bucket/x') },
  { title: 's3 storage without a bucket', valid: false, spec: storage('s3://') },
  { title: 's3 storage with a bad bucket name', valid: false, spec: storage('s3://My_Bucket/x') },
  { title: 'storage under /proc', valid: false, spec: storage('/proc/self/store') },
  { title: 'storage as a file URI under /sys', valid: false, spec: storage('file:///sys/store') },
  { title: 'a PONAS budget outside space ponas', valid: false, spec: with_(bench, { algorithm: { ponas: { budget: 300 } } }) },
  { title: 'a PONAS cost outside space ponas', valid: false, spec: with_(bench, { algorithm: { ponas: { cost: { metric: 'flops' } } } }) },
  { title: 'a PONAS supernet on the benchmark', valid: false, spec: with_(bench, { algorithm: { ponas: { supernet: {} } } }) },
  { title: 'maxFailedTrials above maxTrials', valid: false, spec: budget({ maxTrials: 5, maxFailedTrials: 6 }) },
  { title: 'final training on the benchmark', valid: false, spec: with_(bench, { final: { topK: 2 } }) },
  { title: 'latency on the benchmark', valid: false, spec: with_(bench, { latency: { device: 'pool' } }) },
  { title: 'latency template without the pool', valid: false, spec: with_(train, { latency: { template: { nodeSelector: { a: 'b' } } } }) },
  { title: 'latency runs 0', valid: false, spec: with_(train, { latency: { runs: 0 } }) },
  { title: 'latency on an unknown device kind', valid: false, spec: with_(train, { latency: { device: 'phone' } }) },
  { title: 'final changing classes', valid: false, spec: with_(train, { final: { macro: { classes: 100 } } }) },
  { title: 'final with an unknown recipe field', valid: false, spec: with_(train, { final: { trial: { epochz: 3 } } }) },
  { title: 'perGpu 0', valid: false, spec: trial({ perGpu: 0 }) },
  { title: 'perGpu 17', valid: false, spec: trial({ perGpu: 17 }) },
  { title: 'perGpu 1.5', valid: false, spec: trial({ perGpu: 1.5 }) },
  { title: 'packing benchmark trials', valid: false, spec: with_(bench, { trial: { perGpu: 2 } }) },
  { title: 'final overriding perGpu', valid: false, spec: with_(train, { final: { trial: { perGpu: 2 } } }) },
  { title: 'final topK 0', valid: false, spec: with_(train, { final: { topK: 0 } }) },
];

export const API = { apiVersion: 'nasflow.io/v1alpha1', kind: 'NeuralArchitectureSearch' } as const;

/** The case as a manifest. */
export function manifestOf(c: CorpusCase, index: number): Record<string, unknown> {
  return { ...API, metadata: { name: c.name ?? `corpus-${index}` }, spec: c.spec };
}
