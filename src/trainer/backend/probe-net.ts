/**
 * A tiny NASNet-like network used to check and to time a backend: a stem convolution, then
 * normal and reduction cells whose branches are the NASNet search space's most used ops
 * (ReLU-separable-conv-BN at 3x3 and 5x5, 3x3 average and max pooling, identity), combined by
 * add and concat as in Zoph et al. 2018, sec. 3. It exercises exactly the kernels a NASNet child
 * needs in training (depthwise and pointwise backprop among them), which is what decides a
 * backend's speed; it is not a search-space builder (that lives in src/models).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../../common/rng.js';

/** The tfjs namespace the net is built with (pure JS or native: the API is the same). */
export type Tf = typeof tfjs;

export interface ProbeNetArgs {
  /** Height and width of the square input. Default: 32. */
  inputSize?: number;
  /** Input channels. Default: 3. */
  channels?: number;
  /** Filters of the first cell; each reduction doubles them. Default: 8. */
  filters?: number;
  /** Output classes. Default: 10. */
  classes?: number;
  /** Seed of the weight initialisers, so two backends start from the same weights. Default: 1. */
  seed?: number;
  /**
   * Pooling branch of the normal cell. 'max' exists for cross-backend gradient checks: the
   * pure-JS backend's AvgPoolGrad divides by the full window at padded borders (wrong), while
   * TensorFlow divides by the valid count, as the forward pass does. Default: 'avg'.
   */
  normalPool?: 'avg' | 'max';
}

type SymbolicTensor = tfjs.SymbolicTensor;

/** ReLU, separable conv, batch norm: NASNet's "sep k x k" branch (applied once, for speed). */
function sepBranch(tf: Tf, x: SymbolicTensor, filters: number, kernel: number, stride: number, seed: () => number): SymbolicTensor {
  const relu = tf.layers.reLU().apply(x) as SymbolicTensor;
  const conv = tf.layers
    .separableConv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed() }),
      pointwiseInitializer: tf.initializers.glorotUniform({ seed: seed() }),
    })
    .apply(relu) as SymbolicTensor;
  return tf.layers.batchNormalization().apply(conv) as SymbolicTensor;
}

/** 1x1 ReLU-conv-BN that brings a concat back to the cell's width (NASNet's cell output). */
function project(tf: Tf, x: SymbolicTensor, filters: number, seed: () => number): SymbolicTensor {
  const relu = tf.layers.reLU().apply(x) as SymbolicTensor;
  const conv = tf.layers
    .conv2d({
      filters,
      kernelSize: 1,
      useBias: false,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }),
    })
    .apply(relu) as SymbolicTensor;
  return tf.layers.batchNormalization().apply(conv) as SymbolicTensor;
}

/** Normal cell: (sep3 + identity) and (sep5 + avg3 or max3), concatenated and projected. */
function normalCell(tf: Tf, h: SymbolicTensor, filters: number, seed: () => number, pool: 'avg' | 'max'): SymbolicTensor {
  const b1 = tf.layers.add().apply([sepBranch(tf, h, filters, 3, 1, seed), h]) as SymbolicTensor;
  const poolArgs = { poolSize: 3, strides: 1, padding: 'same' as const };
  const pooled = (pool === 'avg' ? tf.layers.averagePooling2d(poolArgs) : tf.layers.maxPooling2d(poolArgs)).apply(h) as SymbolicTensor;
  const b2 = tf.layers.add().apply([sepBranch(tf, h, filters, 5, 1, seed), pooled]) as SymbolicTensor;
  return project(tf, tf.layers.concatenate().apply([b1, b2]) as SymbolicTensor, filters, seed);
}

/** Reduction cell: (sep5/2 + sep3/2) and max3/2 of the projected input, concatenated. */
function reductionCell(tf: Tf, h: SymbolicTensor, filters: number, seed: () => number): SymbolicTensor {
  const b1 = tf.layers.add().apply([sepBranch(tf, h, filters, 5, 2, seed), sepBranch(tf, h, filters, 3, 2, seed)]) as SymbolicTensor;
  const pool = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(h) as SymbolicTensor;
  const b2 = project(tf, pool, filters, seed);
  return project(tf, tf.layers.concatenate().apply([b1, b2]) as SymbolicTensor, filters, seed);
}

/** Builds the probe net (uncompiled): stem, N-R-N-R-N cells, global pooling, softmax. */
export function buildProbeNet(tf: Tf, args: ProbeNetArgs = {}): tfjs.LayersModel {
  const size = args.inputSize ?? 32;
  const channels = args.channels ?? 3;
  const filters = args.filters ?? 8;
  const classes = args.classes ?? 10;
  const pool = args.normalPool ?? 'avg';
  let next = args.seed ?? 1;
  const seed = (): number => next++;
  for (const [field, value] of Object.entries({ size, channels, filters, classes })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`probe net ${field} must be a positive integer; received ${value}`);
    }
  }
  const input = tf.input({ shape: [size, size, channels] });
  let x = tf.layers
    .conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }),
    })
    .apply(input) as SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as SymbolicTensor;
  x = normalCell(tf, x, filters, seed, pool);
  x = reductionCell(tf, x, filters * 2, seed);
  x = normalCell(tf, x, filters * 2, seed, pool);
  x = reductionCell(tf, x, filters * 4, seed);
  x = normalCell(tf, x, filters * 4, seed, pool);
  x = tf.layers.globalAveragePooling2d({}).apply(x) as SymbolicTensor;
  const output = tf.layers
    .dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }),
    })
    .apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/**
 * A learnable batch for the probe net: each class is a fixed random image (its template) and
 * every example is its class's template plus Gaussian noise, so a working backend drives the
 * training loss down within a few dozen steps. Deterministic for a given seed.
 */
export function probeBatch(
  tf: Tf,
  rng: Rng,
  args: { examples: number; inputSize?: number; channels?: number; classes?: number; noise?: number },
): { x: tfjs.Tensor4D; y: tfjs.Tensor2D } {
  const size = args.inputSize ?? 32;
  const channels = args.channels ?? 3;
  const classes = args.classes ?? 10;
  const noise = args.noise ?? 0.5;
  const pixels = size * size * channels;
  const templates = Array.from({ length: classes }, () => Float32Array.from({ length: pixels }, () => rng.normal()));
  const x = new Float32Array(args.examples * pixels);
  const labels: number[] = [];
  for (let i = 0; i < args.examples; i++) {
    const label = i % classes;
    labels.push(label);
    const template = templates[label]!;
    for (let p = 0; p < pixels; p++) x[i * pixels + p] = template[p]! + noise * rng.normal();
  }
  return {
    x: tf.tensor4d(x, [args.examples, size, size, channels]),
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tfjs.Tensor2D,
  };
}
