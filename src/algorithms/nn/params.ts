/**
 * A named set of tfjs variables with a hand-written Adam optimiser whose moments are ordinary
 * variables too, so `save()` captures parameters *and* optimiser state in one float32 blob and a
 * restored learner continues bit-identically (tf.train.adam keeps its moments out of reach of a
 * synchronous save).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../common/rng.js';
import { base64ToFloat32, float32ToBase64 } from './base64.js';

let backendReady = false;
/**
 * The pure-JS CPU backend: deterministic float32 arithmetic on every machine, which is what makes
 * a restored learner continue bit-identically. Note: tfjs backends are process-global.
 */
export function useCpuBackend(): void {
  if (backendReady) return;
  // The CPU backend initialises synchronously, so the switch has happened when this returns.
  if (tf.getBackend() !== 'cpu') void tf.setBackend('cpu');
  backendReady = true;
}

export interface AdamArgs {
  /** Learning rate. */
  lr: number;
  /** Default: 0.9. */
  beta1?: number;
  /** Default: 0.999. */
  beta2?: number;
  /** Default: 1e-8. */
  epsilon?: number;
}

export class ParamSet {
  readonly vars: tf.Variable[] = [];
  private readonly m: tf.Variable[] = [];
  private readonly v: tf.Variable[] = [];
  private step = 0;

  /** Adds a variable initialised uniformly in [-scale, scale] from the seeded rng. */
  add(shape: number[], rng: Rng, scale: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const init = new Float32Array(size);
    for (let i = 0; i < size; i++) init[i] = (rng.next() * 2 - 1) * scale;
    const variable = tf.variable(tf.tensor(init, shape));
    this.vars.push(variable);
    this.m.push(tf.variable(tf.zeros(shape)));
    this.v.push(tf.variable(tf.zeros(shape)));
    return variable;
  }

  /** One Adam step on the gradients of `loss` (a scalar built from `this.vars`). Returns the loss. */
  minimize(loss: () => tf.Scalar, args: AdamArgs): number {
    const { value, grads } = tf.variableGrads(loss, this.vars);
    const lossValue = value.dataSync()[0]!;
    this.step++;
    const b1 = args.beta1 ?? 0.9;
    const b2 = args.beta2 ?? 0.999;
    const eps = args.epsilon ?? 1e-8;
    const lrT = (args.lr * Math.sqrt(1 - b2 ** this.step)) / (1 - b1 ** this.step);
    tf.tidy(() => {
      this.vars.forEach((p, i) => {
        const g = grads[p.name];
        if (g === undefined) throw new Error(`minimize: the loss does not depend on variable ${p.name} (${i} of ${this.vars.length})`);
        // m and v are parallel to vars: add() pushes to all three.
        const [mVar, vVar] = [this.m[i]!, this.v[i]!];
        const m = mVar.mul(b1).add(g.mul(1 - b1));
        const v = vVar.mul(b2).add(g.square().mul(1 - b2));
        mVar.assign(m);
        vVar.assign(v);
        p.assign(p.sub(m.mul(lrT).div(v.sqrt().add(eps))));
      });
    });
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    return lossValue;
  }

  /** Parameters, Adam moments and the step count as one base64 float32 blob. */
  save(): string {
    const parts = [...this.vars, ...this.m, ...this.v].map((t) => t.dataSync() as Float32Array);
    const total = parts.reduce((a, p) => a + p.length, 1);
    const out = new Float32Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    out[o] = this.step;
    return float32ToBase64(out);
  }

  load(blob: string): void {
    const data = base64ToFloat32(blob);
    const all = [...this.vars, ...this.m, ...this.v];
    const expected = all.reduce((a, t) => a + t.size, 1);
    if (data.length !== expected) throw new Error(`weights: expected ${expected} floats; received ${data.length}`);
    let o = 0;
    for (const t of all) {
      t.assign(tf.tensor(data.subarray(o, o + t.size), t.shape));
      o += t.size;
    }
    this.step = data[o]!; // o === expected - 1 === data.length - 1
  }

  dispose(): void {
    [...this.vars, ...this.m, ...this.v].forEach((t) => t.dispose());
  }
}
