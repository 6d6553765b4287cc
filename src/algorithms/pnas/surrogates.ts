/**
 * PNAS accuracy predictors (Liu et al. 2018, Sec. 3.3): an LSTM that reads a cell's tokens and
 * regresses its accuracy from the final hidden state, and an ensemble of MLPs (the paper's
 * "MLP-ensemble", each member trained on its own 4/5 of the data). Both handle cells of different
 * lengths: sequences are left-padded with token 0, so the LSTM's final state follows the real
 * tokens and the MLP sees zeros where a shorter cell has no block.
 *
 * Targets are standardised with the training set's mean and deviation; only the ranking of the
 * predictions matters to the search. Training shuffles with the search's Rng: fits are
 * reproducible and their weights (with the Adam moments) travel in the state blob.
 */
import * as tf from '@tensorflow/tfjs';
import { at } from '../../common/indexing.js';
import type { Rng } from '../../common/rng.js';
import { ParamSet, useCpuBackend } from '../nn/params.js';

export type SurrogateKind = 'lstm' | 'mlp-ensemble';

export interface SurrogateArgs {
  /** Model. Default: `mlp-ensemble`. */
  kind?: SurrogateKind;
  /** Hidden units (LSTM state and embedding, or MLP width). Default: 64. */
  hidden?: number;
  /** MLP ensemble members. Default: 5 (PNAS). */
  members?: number;
  /** Passes over the data per fit. Default: 40. */
  epochs?: number;
  /** Minibatch size. Default: 32. */
  batch?: number;
  /** Adam learning rate. Default: 0.005. */
  lr?: number;
}

export type SurrogateConfig = Required<SurrogateArgs> & { vocab: number; length: number };

export function resolveSurrogateArgs(args: SurrogateArgs, vocab: number, length: number): SurrogateConfig {
  return {
    kind: args.kind ?? 'mlp-ensemble',
    hidden: args.hidden ?? 64,
    members: args.members ?? 5,
    epochs: args.epochs ?? 40,
    batch: args.batch ?? 32,
    lr: args.lr ?? 0.005,
    vocab,
    length,
  };
}

interface Member {
  params: ParamSet;
  /** Predictions for left-padded token rows (all of length `config.length`). */
  forward(rows: readonly number[][]): tf.Tensor1D;
}

export class Surrogate {
  private readonly members: Member[];
  /** Target normalisation of the last fit. */
  private norm = { mean: 0, std: 1 };

  constructor(
    private readonly config: SurrogateConfig,
    rng: Rng,
  ) {
    useCpuBackend();
    const n = config.kind === 'lstm' ? 1 : config.members;
    this.members = Array.from({ length: n }, (_, i) => (config.kind === 'lstm' ? lstmMember(config, rng.fork(i)) : mlpMember(config, rng.fork(i))));
  }

  /** Fits on (token sequences, targets), continuing from the current weights. */
  fit(sequences: readonly number[][], targets: readonly number[], rng: Rng): void {
    if (sequences.length === 0) return;
    if (targets.length !== sequences.length) throw new Error(`surrogate fit: expected ${sequences.length} targets; received ${targets.length}`);
    const mean = targets.reduce((a, b) => a + b, 0) / targets.length;
    const std = Math.sqrt(targets.reduce((a, b) => a + (b - mean) ** 2, 0) / targets.length) || 1;
    this.norm = { mean, std };
    const y = targets.map((t) => (t - mean) / std);
    this.members.forEach((m, k) => {
      // Each ensemble member leaves out its own fifth (PNAS); a single LSTM sees everything.
      const rows = sequences.map((_, i) => i).filter((i) => this.members.length === 1 || sequences.length < 5 || i % 5 !== k % 5);
      for (let e = 0; e < this.config.epochs; e++) {
        const order = rng.shuffle([...rows]);
        for (let s = 0; s < order.length; s += this.config.batch) {
          const idx = order.slice(s, s + this.config.batch);
          const x = idx.map((i) => this.pad(sequences[i]!));
          const t = tf.tensor1d(idx.map((i) => y[i]!));
          m.params.minimize(() => tf.losses.meanSquaredError(t, m.forward(x)) as tf.Scalar, { lr: this.config.lr });
          t.dispose();
        }
      }
    });
  }

  predict(sequences: readonly number[][]): number[] {
    if (sequences.length === 0) return [];
    return tf.tidy(() => {
      const x = sequences.map((s) => this.pad(s));
      const sum = this.members.map((m) => m.forward(x)).reduce((a, b) => a.add(b));
      const out = sum.div(this.members.length).dataSync();
      return Array.from(out, (v) => v * this.norm.std + this.norm.mean);
    });
  }

  save(): string[] {
    return this.members.map((m) => m.params.save());
  }

  load(blobs: readonly string[], norm: { mean: number; std: number }): void {
    blobs.forEach((b, i) => at(this.members, i, 'surrogate member').params.load(b));
    this.norm = norm;
  }

  normalisation(): { mean: number; std: number } {
    return { ...this.norm };
  }

  private pad(seq: readonly number[]): number[] {
    if (seq.length > this.config.length) throw new Error(`surrogate: sequence of ${seq.length} tokens exceeds ${this.config.length}`);
    return [...new Array<number>(this.config.length - seq.length).fill(0), ...seq];
  }
}

function mlpMember(c: SurrogateConfig, rng: Rng): Member {
  const params = new ParamSet();
  const inputs = c.length * (c.vocab - 1);
  const w1 = params.add([inputs, c.hidden], rng, Math.sqrt(6 / (inputs + c.hidden)));
  const b1 = params.add([c.hidden], rng, 0);
  const w2 = params.add([c.hidden, c.hidden], rng, Math.sqrt(3 / c.hidden));
  const b2 = params.add([c.hidden], rng, 0);
  const w3 = params.add([c.hidden, 1], rng, Math.sqrt(3 / c.hidden));
  const b3 = params.add([1], rng, 0);
  return {
    params,
    forward(rows) {
      // One-hot built in plain JS (tfjs's CPU oneHot/slice on 3-D tensors is slow); token 0 is
      // padding and gets no column, so padded slots are all zeros.
      const width = c.vocab - 1;
      const dense = new Float32Array(rows.length * c.length * width);
      rows.forEach((r, i) =>
        r.forEach((t, l) => {
          if (t > 0) dense[i * c.length * width + l * width + t - 1] = 1;
        }),
      );
      const flat = tf.tensor2d(dense, [rows.length, c.length * width]);
      const h1 = tf.relu(flat.matMul(w1).add(b1));
      const h2 = tf.relu(h1.matMul(w2).add(b2));
      return h2.matMul(w3).add(b3).reshape([rows.length]) as tf.Tensor1D;
    },
  };
}

function lstmMember(c: SurrogateConfig, rng: Rng): Member {
  const params = new ParamSet();
  const h = c.hidden;
  const embedding = params.add([c.vocab, h], rng, 0.1);
  // One [h, h] matrix per gate and input, instead of one [2h, 4h] kernel: tfjs's CPU concat/split
  // dominate otherwise.
  const gate = (): { wx: tf.Variable; wh: tf.Variable; b: tf.Variable } => ({
    wx: params.add([h, h], rng, Math.sqrt(3 / (2 * h))),
    wh: params.add([h, h], rng, Math.sqrt(3 / (2 * h))),
    b: params.add([h], rng, 0),
  });
  const gates = { i: gate(), f: gate(), g: gate(), o: gate() };
  const wOut = params.add([h, 1], rng, Math.sqrt(3 / h));
  const bOut = params.add([1], rng, 0);
  return {
    params,
    forward(rows) {
      const n = rows.length;
      let hState: tf.Tensor2D = tf.zeros([n, h]);
      let cState: tf.Tensor2D = tf.zeros([n, h]);
      for (let step = 0; step < c.length; step++) {
        const x = tf.gather(
          embedding,
          tf.tensor1d(
            rows.map((r) => r[step]!),
            'int32',
          ),
        ) as tf.Tensor2D;
        const pre = (w: typeof gates.i): tf.Tensor => x.matMul(w.wx).add(hState.matMul(w.wh)).add(w.b);
        const [i, f, g, o] = [pre(gates.i), pre(gates.f), pre(gates.g), pre(gates.o)];
        cState = tf
          .sigmoid(f.add(1))
          .mul(cState)
          .add(tf.sigmoid(i).mul(tf.tanh(g))) as tf.Tensor2D;
        hState = tf.sigmoid(o).mul(tf.tanh(cState)) as tf.Tensor2D;
      }
      return hState.matMul(wOut).add(bOut).reshape([n]) as tf.Tensor1D;
    },
  };
}

/** Spearman rank correlation (average ranks for ties). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) return NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((x, y) => x + y, 0) / n;
  const mb = rb.reduce((x, y) => x + y, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (const [i, x] of ra.entries()) {
    const y = rb[i]!;
    num += (x - ma) * (y - mb);
    da += (x - ma) ** 2;
    db += (y - mb) ** 2;
  }
  return da === 0 || db === 0 ? NaN : num / Math.sqrt(da * db);
}

function ranks(v: readonly number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    const value = order[i]![0];
    let j = i;
    while (order[j + 1]?.[0] === value) j++;
    for (const [, index] of order.slice(i, j + 1)) r[index] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}
