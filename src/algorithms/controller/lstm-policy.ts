/**
 * The NASNet controller (Zoph et al. 2018, Sec. 3 and App. A; Zoph & Le 2017): a one-layer LSTM
 * that emits a space's decision sequence one softmax at a time, feeding the embedding of each
 * choice back as the next input. Embedding tables and softmax heads are shared by decision kind
 * (`op`, `input`, ...), so one controller serves NASNet cells, MnasNet blocks or NAS-Bench-201
 * edges. Choices beyond a decision's `validChoices` are masked out.
 *
 * Sampling draws from the search's seeded Rng (not tfjs's generator), so proposals are a pure
 * function of the weights and the Rng state.
 */
import * as tf from '@tensorflow/tfjs';
import { at } from '../../common/indexing.js';
import type { Rng } from '../../common/rng.js';
import type { Decision } from '../../space/types.js';
import { ParamSet, useCpuBackend, type AdamArgs } from '../nn/params.js';

export interface PolicyArgs {
  /** LSTM units. Default: 100 (NASNet, App. A). */
  hidden?: number;
  /** Uniform initialisation range. Default: 0.1 (NASNet, App. A). */
  initScale?: number;
}

interface KindParams {
  embedding: tf.Variable; // [width, hidden]
  headW: tf.Variable; // [hidden, width]
  headB: tf.Variable; // [width]
  width: number;
}

const MASKED = -1e9;

export class LstmPolicy {
  private readonly params = new ParamSet();
  private readonly kinds = new Map<string, KindParams>();
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly go: tf.Variable;
  private readonly hidden: number;

  constructor(
    private readonly decisions: readonly Decision[],
    args: PolicyArgs,
    rng: Rng,
  ) {
    useCpuBackend();
    const h = (this.hidden = args.hidden ?? 100);
    const scale = args.initScale ?? 0.1;
    // Deterministic parameter order: kinds in order of first appearance.
    this.kernel = this.params.add([2 * h, 4 * h], rng, scale);
    this.bias = this.params.add([4 * h], rng, scale);
    this.go = this.params.add([1, h], rng, scale);
    for (const d of decisions) {
      const width = Math.max(d.choices, this.kinds.get(d.kind)?.width ?? 0);
      if (!this.kinds.has(d.kind)) this.kinds.set(d.kind, { width } as KindParams);
      this.kinds.get(d.kind)!.width = width;
    }
    for (const k of this.kinds.values()) {
      k.embedding = this.params.add([k.width, h], rng, scale);
      k.headW = this.params.add([h, k.width], rng, scale);
      k.headB = this.params.add([k.width], rng, scale);
    }
  }

  /** Samples one decision sequence; returns it with its log-probability under the policy. */
  sample(rng: Rng): { sequence: number[]; logp: number } {
    return tf.tidy(() => {
      let x: tf.Tensor2D = this.go as unknown as tf.Tensor2D;
      let h: tf.Tensor2D = tf.zeros([1, this.hidden]);
      let c: tf.Tensor2D = tf.zeros([1, this.hidden]);
      const sequence: number[] = [];
      let logp = 0;
      for (const d of this.decisions) {
        [h, c] = this.cell(x, h, c);
        const probs = tf.softmax(this.logits(d, h)).dataSync();
        let u = rng.next();
        let choice = 0;
        const valid = d.validChoices ?? d.choices;
        for (; choice < valid - 1; choice++) {
          u -= probs[choice]!;
          if (u < 0) break;
        }
        sequence.push(choice);
        logp += Math.log(Math.max(probs[choice]!, 1e-30));
        x = tf.gather(this.kinds.get(d.kind)!.embedding, [choice]) as tf.Tensor2D;
      }
      return { sequence, logp };
    });
  }

  /** Differentiable per-sequence log-probabilities and entropies for a batch (teacher forcing). */
  evaluate(sequences: readonly number[][]): { logp: tf.Tensor1D; entropy: tf.Tensor1D } {
    const n = sequences.length;
    let x: tf.Tensor2D = tf.tile(this.go, [n, 1]) as tf.Tensor2D;
    let h: tf.Tensor2D = tf.zeros([n, this.hidden]);
    let c: tf.Tensor2D = tf.zeros([n, this.hidden]);
    let logp: tf.Tensor1D = tf.zeros([n]);
    let entropy: tf.Tensor1D = tf.zeros([n]);
    this.decisions.forEach((d, t) => {
      [h, c] = this.cell(x, h, c);
      const logSoftmax = tf.logSoftmax(this.logits(d, h));
      const chosen = sequences.map((s) => at(s, t, 'decision'));
      const oneHot = tf.oneHot(tf.tensor1d(chosen, 'int32'), this.kinds.get(d.kind)!.width);
      logp = logp.add(logSoftmax.mul(oneHot).sum(1));
      const p = tf.exp(logSoftmax);
      entropy = entropy.sub(p.mul(logSoftmax.maximum(-50)).sum(1));
      x = tf.gather(this.kinds.get(d.kind)!.embedding, tf.tensor1d(chosen, 'int32')) as tf.Tensor2D;
    });
    return { logp, entropy };
  }

  minimize(loss: () => tf.Scalar, adam: AdamArgs): number {
    return this.params.minimize(loss, adam);
  }

  save(): string {
    return this.params.save();
  }

  load(blob: string): void {
    this.params.load(blob);
  }

  dispose(): void {
    this.params.dispose();
  }

  private cell(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
    const z = tf.concat([x, h], 1).matMul(this.kernel).add(this.bias);
    const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const cNext = tf
      .sigmoid(f.add(1))
      .mul(c)
      .add(tf.sigmoid(i).mul(tf.tanh(g))) as tf.Tensor2D;
    const hNext = tf.sigmoid(o).mul(tf.tanh(cNext)) as tf.Tensor2D;
    return [hNext, cNext];
  }

  private logits(d: Decision, h: tf.Tensor2D): tf.Tensor2D {
    const k = this.kinds.get(d.kind)!;
    const logits = h.matMul(k.headW).add(k.headB) as tf.Tensor2D;
    const valid = d.validChoices ?? d.choices;
    if (valid >= k.width) return logits;
    const mask = tf.tensor1d(Array.from({ length: k.width }, (_, j) => (j < valid ? 0 : MASKED)));
    return logits.add(mask);
  }
}
