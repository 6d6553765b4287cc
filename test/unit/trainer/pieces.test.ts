import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/common/rng.js';
import { makeBatch } from '../../../src/trainer/augment.js';
import { IMAGE_BYTES, RECORD_BYTES, decodeRecords, encodeRecords } from '../../../src/trainer/cifar-format.js';
import { Optimizer, clipByGlobalNorm } from '../../../src/trainer/optimizers.js';
import { learningRate } from '../../../src/trainer/schedule.js';
import { trainStep } from '../../../src/trainer/steps.js';
import { synthesize } from '../../../src/trainer/synth.js';
import { withSeededRandom } from '../../../src/trainer/seeded-random.js';
import { EXIT_BAD_INPUT, EXIT_NUMERICAL, EXIT_PREEMPTED, EXIT_RETRYABLE } from '../../../src/api/exit-codes.js';
import { BadSpecError, NumericalError, PreemptedError, UnusableDataError, exitCodeFor } from '../../../src/trainer/errors.js';
import { GenotypeError } from '../../../src/space/types.js';
import { InvalidUriError } from '../../../src/store/uri.js';
import { at } from '../../../src/common/indexing.js';

await tf.setBackend('cpu');

void describe('CIFAR-10 binary format', () => {
  void it('round-trips records and rejects truncated files', () => {
    const { train } = synthesize({ classes: 3, train: 7, test: 0, seed: 9 });
    const bytes = encodeRecords(train);
    assert.equal(bytes.byteLength, 7 * RECORD_BYTES);
    const back = decodeRecords(bytes, (m) => new Error(m));
    assert.deepEqual(back.labels, train.labels);
    assert.deepEqual(back.images, train.images);
    assert.throws(() => decodeRecords(bytes.subarray(1), (m) => new Error(m)), /multiple of 3073/);
  });
});

void describe('synthetic dataset', () => {
  void it('is deterministic in the seed and uses every class', () => {
    const a = synthesize({ classes: 5, train: 200, test: 10, seed: 1 });
    const b = synthesize({ classes: 5, train: 200, test: 10, seed: 1 });
    const c = synthesize({ classes: 5, train: 200, test: 10, seed: 2 });
    assert.deepEqual(a.train.images, b.train.images);
    assert.notDeepEqual(a.train.images, c.train.images);
    assert.equal(new Set(a.train.labels).size, 5);
  });

  void it('separates classes by mean colour (learnable) while samples of a class differ (noisy)', () => {
    const { train } = synthesize({ classes: 4, train: 400, test: 0, seed: 3 });
    const means = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let i = 0; i < train.count; i++) {
      const m = at(means, at(train.labels, i), 'label');
      for (let ch = 0; ch < 3; ch++) {
        for (let p = 0; p < 1024; p++) m[ch]! += train.images[i * IMAGE_BYTES + ch * 1024 + p]! / 1024;
      }
      m[3]!++;
    }
    const centroids = means.map((m) => m.slice(0, 3).map((v) => v / m[3]!));
    // A nearest-centroid classifier on mean colour alone must beat chance by far.
    let correct = 0;
    for (let i = 0; i < train.count; i++) {
      const colour = [0, 1, 2].map((ch) => {
        let s = 0;
        for (let p = 0; p < 1024; p++) s += train.images[i * IMAGE_BYTES + ch * 1024 + p]!;
        return s / 1024;
      });
      const dist = centroids.map((c) => c.reduce((d, v, k) => d + (v - colour[k]!) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === train.labels[i]) correct++;
    }
    assert.ok(correct / train.count > 0.6, `nearest-centroid accuracy ${correct / train.count}`);
    assert.notDeepEqual(train.images.subarray(0, IMAGE_BYTES), train.images.subarray(IMAGE_BYTES, 2 * IMAGE_BYTES));
  });
});

void describe('augmentation and batches', () => {
  const { train } = synthesize({ classes: 2, train: 4, test: 0, seed: 4 });
  void it('without augmentation downsamples by area averaging and normalises', () => {
    const x = makeBatch(train, [0], { imageSize: 4, padCrop: 0, flip: false, cutout: 0 }, null);
    assert.equal(x.length, 4 * 4 * 3);
    let sum = 0;
    for (let y = 0; y < 8; y++) for (let xx = 0; xx < 8; xx++) sum += train.images[0 * 1024 + y * 32 + xx]!;
    assert.ok(Math.abs(at(x, 0) - (sum / 64 / 255 - 0.4914) / 0.247) < 1e-5);
  });
  void it('draws the same augmentation from the same RNG state, and a flip mirrors the image', () => {
    const args = { imageSize: 32, padCrop: 4, flip: true, cutout: 8 };
    const a = makeBatch(train, [0, 1, 2], args, Rng.seeded(5));
    const b = makeBatch(train, [0, 1, 2], args, Rng.seeded(5));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, makeBatch(train, [0, 1, 2], args, Rng.seeded(6)));
    const plain = makeBatch(train, [0], { imageSize: 32, padCrop: 0, flip: false, cutout: 0 }, null);
    let flipped: Float32Array | undefined;
    for (let s = 0; s < 20 && !flipped; s++) {
      const r = Rng.seeded(s);
      const peek = Rng.fromState(r.state());
      if (peek.next() < 0.5) flipped = makeBatch(train, [0], { imageSize: 32, padCrop: 0, flip: true, cutout: 0 }, r);
    }
    assert.ok(flipped);
    assert.equal(flipped[(0 * 32 + 31) * 3], plain[0]);
  });
});

void describe('learning-rate schedules', () => {
  const lr = { schedule: 'cosine' as const, initial: 0.1, min: 0, warmupEpochs: 1, decayRate: 0.5, decayEpochs: 1 };
  void it('warms up linearly, then follows the cosine to the floor', () => {
    assert.ok(Math.abs(learningRate(lr, 0, 10, 3) - 0.01) < 1e-12);
    assert.ok(Math.abs(learningRate(lr, 9, 10, 3) - 0.1) < 1e-12);
    assert.ok(Math.abs(learningRate(lr, 10, 10, 3) - 0.1) < 1e-12);
    assert.ok(Math.abs(learningRate(lr, 20, 10, 3) - 0.05) < 1e-12);
    assert.ok(learningRate(lr, 29, 10, 3) < 0.001);
  });
  void it('decays exponentially by decayRate per decayEpochs', () => {
    const exp = { ...lr, schedule: 'exponential' as const, warmupEpochs: 0 };
    assert.ok(Math.abs(learningRate(exp, 10, 10, 3) - 0.05) < 1e-12);
    assert.ok(Math.abs(learningRate(exp, 20, 10, 3) - 0.025) < 1e-12);
  });
});

void describe('train step', () => {
  /** A two-head model like a cell network with macro.auxHead: a shared layer, a main and an aux head. */
  const twoHeads = () => {
    const input = tf.input({ shape: [2, 2, 3] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const shared = tf.layers.dense({ units: 4, name: 'shared' }).apply(flat) as tf.SymbolicTensor;
    const main = tf.layers.dense({ units: 3, name: 'main' }).apply(shared) as tf.SymbolicTensor;
    const aux = tf.layers.dense({ units: 3, name: 'aux' }).apply(shared) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: [main, aux] });
  };
  const args = { classes: 3, labelSmoothing: 0, gradClipNorm: 0, lr: 0.1 };
  const x = new Float32Array(2 * 2 * 2 * 3).map((_, i) => Math.sin(i));

  void it('trains a model with an aux head at recipe.auxWeight 0: the aux head stays put, the rest learns', () => {
    const model = withSeededRandom(Rng.seeded('step/aux0'), twoHeads);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = new Optimizer(tf, { type: 'sgd-momentum', momentum: 0.9, nesterov: false }, 0, vars);
    const before = vars.map((v) => Array.from(v.dataSync()));
    const { loss } = trainStep(tf, model, opt, x, [0, 2], 2, { ...args, auxWeight: 0 });
    assert.ok(Number.isFinite(loss), `loss ${loss}`);
    const moved = vars.map((v, i) => Array.from(v.dataSync()).some((w, j) => w !== at(before, i)[j]));
    const names = model.trainableWeights.map((w) => w.name);
    assert.deepEqual(names.filter((_, i) => moved[i]).sort(), names.filter((n) => !n.startsWith('aux')).sort());
  });
  void it('with auxWeight > 0 the aux head learns too', () => {
    const model = withSeededRandom(Rng.seeded('step/aux0'), twoHeads);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = new Optimizer(tf, { type: 'sgd-momentum', momentum: 0.9, nesterov: false }, 0, vars);
    const before = vars.map((v) => Array.from(v.dataSync()));
    trainStep(tf, model, opt, x, [0, 2], 2, { ...args, auxWeight: 0.4 });
    assert.ok(vars.every((v, i) => Array.from(v.dataSync()).some((w, j) => w !== at(before, i)[j])));
  });
});

void describe('optimizers', () => {
  void it('sgd-momentum with weight decay matches the update rule by hand', () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const opt = new Optimizer(tf, { type: 'sgd-momentum', momentum: 0.9, nesterov: false }, 0.1, [w]);
    const g = tf.tensor2d([[0.5, 0.5]]);
    opt.apply([g], 0.1); // g' = g + 0.1 w = [0.6, 0.3]; v = g'; w -= 0.1 v
    opt.apply([g], 0.1); // w = [0.94, -2.03]; g' = [0.594, 0.297]; v = 0.9 v + g'
    const v = [0.9 * 0.6 + 0.594, 0.9 * 0.3 + 0.297];
    const expected = [0.94 - 0.1 * v[0]!, -2.03 - 0.1 * v[1]!];
    const got = w.dataSync();
    expected.forEach((e, i) => assert.ok(Math.abs(at(got, i) - e) < 1e-6, `${got[i]} vs ${e}`));
  });
  void it('rmsprop follows s = rho s + (1-rho) g^2, u = m u + lr g / sqrt(s + eps)', () => {
    const w = tf.variable(tf.tensor1d([1]));
    const opt = new Optimizer(tf, { type: 'rmsprop', rho: 0.9, momentum: 0.5, epsilon: 1e-3 }, 0, [w]);
    opt.apply([tf.tensor1d([2])], 0.1);
    const s = 0.1 * 4;
    const u = (0.1 * 2) / Math.sqrt(s + 1e-3);
    assert.ok(Math.abs(at(w.dataSync(), 0) - (1 - u)) < 1e-6);
    assert.deepEqual(Array.from(at(opt.getState().slots, 0)), [Math.fround(s)]);
  });
  void it('restores its state exactly from getState()', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const opt = new Optimizer(tf, { type: 'sgd-momentum', momentum: 0.9, nesterov: true }, 0, [w]);
    opt.apply([tf.tensor1d([1, 1, 1])], 0.1);
    const state = opt.getState();
    const w2 = tf.variable(tf.tensor1d([1, 2, 3]));
    const opt2 = new Optimizer(tf, opt.config, 0, [w2]);
    opt2.setState(state);
    assert.deepEqual(opt2.getState(), state);
    assert.throws(() => opt2.setState({ type: 'rmsprop', slots: state.slots }), /expected sgd-momentum/);
  });
  void it('clips by global norm', () => {
    const { grads, norm } = clipByGlobalNorm(tf, [tf.tensor1d([3]), tf.tensor1d([4])], 1);
    assert.equal(norm, 5);
    assert.ok(Math.abs(at(at(grads, 0).dataSync(), 0) - 0.6) < 1e-6);
  });
});

void describe('seeded Math.random', () => {
  void it('makes unseeded tfjs random ops reproducible and restores Math.random', () => {
    const original = Math.random;
    const a = withSeededRandom(Rng.seeded(1), () => tf.randomUniform([5]).dataSync());
    const b = withSeededRandom(Rng.seeded(1), () => tf.randomUniform([5]).dataSync());
    assert.deepEqual(a, b);
    assert.equal(Math.random, original);
  });
});

void describe('exit codes', () => {
  const table: [unknown, number][] = [
    [new BadSpecError('f', 'x'), EXIT_BAD_INPUT],
    [new UnusableDataError('u', 'x'), EXIT_BAD_INPUT],
    [new GenotypeError('normal.blocks[0]', 'x'), EXIT_BAD_INPUT],
    [new InvalidUriError('http://x', 'x'), EXIT_BAD_INPUT],
    [new NumericalError(3, NaN), EXIT_NUMERICAL],
    [new PreemptedError(3), EXIT_PREEMPTED],
    [new Error('ECONNRESET'), EXIT_RETRYABLE],
  ];
  for (const [err, code] of table) void it(`${(err as Error).name} exits ${code}`, () => assert.equal(exitCodeFor(err), code));
});
