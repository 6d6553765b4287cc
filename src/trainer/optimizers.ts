/**
 * SGD with momentum and RMSProp, written here rather than taken from tf.train so that the whole
 * optimizer state is a list of named slot tensors we can checkpoint and restore exactly, and so
 * that the learning rate can change every step without rebuilding anything.
 *
 * Update rules follow TensorFlow's (Keras `SGD(momentum)`, TF1 `RMSPropOptimizer` with momentum):
 * - sgd-momentum: v = m v + g;  w -= lr (nesterov ? g + m v : v)
 * - rmsprop:      s = rho s + (1-rho) g^2;  u = m u + lr g / sqrt(s + eps);  w -= u
 * Weight decay is the L2 gradient term (g += wd w) on kernels only (rank >= 2), as in the NASNet
 * and MnasNet recipes, never on biases or batch-norm parameters.
 */
import type * as tfc from '@tensorflow/tfjs';
import type { TF } from './backend.js';
import { at } from '../common/indexing.js';
import type { TrialRecipe } from './spec.js';

export interface OptimizerState {
  type: string;
  /** One Float32Array per slot per variable, variables in order, slots in {@link Optimizer.slotNames} order. */
  slots: Float32Array[];
}

export class Optimizer {
  readonly slotNames: readonly string[];
  private readonly slots: tfc.Variable[][];

  constructor(
    private readonly tf: TF,
    readonly config: TrialRecipe['optimizer'],
    private readonly weightDecay: number,
    readonly variables: readonly tfc.Variable[],
  ) {
    this.slotNames = config.type === 'sgd-momentum' ? ['velocity'] : ['meanSquare', 'momentum'];
    this.slots = variables.map((v) => this.slotNames.map(() => tf.variable(tf.zerosLike(v), false)));
  }

  /**
   * Applies one update; `grads[j]` belongs to `variables[indices[j]]` (default: `variables[j]`).
   * Variables left out get no update at all, not even momentum: a one-shot supernet step trains
   * only the sampled path. Does not dispose `grads`.
   */
  apply(grads: readonly tfc.Tensor[], lr: number, indices?: readonly number[]): void {
    const tf = this.tf;
    tf.tidy(() => {
      const c = this.config;
      grads.forEach((grad, j) => {
        const i = indices ? at(indices, j, 'gradient') : j;
        const w = at(this.variables, i, 'variable');
        let g = grad;
        if (this.weightDecay > 0 && w.rank >= 2) g = g.add(w.mul(this.weightDecay));
        // The constructor gave every variable one slot per slot name of this same config.type.
        const s = at(this.slots, i, 'variable');
        if (c.type === 'sgd-momentum') {
          const velocity = s[0]!;
          const v = velocity.mul(c.momentum).add(g);
          velocity.assign(v);
          const step = c.nesterov ? g.add(v.mul(c.momentum)) : v;
          w.assign(w.sub(step.mul(lr)));
        } else {
          const meanSquare = s[0]!;
          const momentum = s[1]!;
          const ms = meanSquare.mul(c.rho).add(g.square().mul(1 - c.rho));
          meanSquare.assign(ms);
          const u = momentum.mul(c.momentum).add(g.mul(lr).div(ms.add(c.epsilon).sqrt()));
          momentum.assign(u);
          w.assign(w.sub(u));
        }
      });
    });
  }

  getState(): OptimizerState {
    return { type: this.config.type, slots: this.slots.flat().map((t) => t.dataSync() as Float32Array) };
  }

  setState(state: OptimizerState): void {
    const flat = this.slots.flat();
    if (state.type !== this.config.type || state.slots.length !== flat.length) {
      throw new Error(`optimizer state: expected ${this.config.type} with ${flat.length} slots, received ${state.type} with ${state.slots.length}`);
    }
    flat.forEach((t, i) => {
      const values = state.slots[i]!; // same length as flat, checked above
      if (values.length !== t.size) throw new Error(`optimizer slot ${i}: expected ${t.size} values, received ${values.length}`);
      this.tf.tidy(() => t.assign(this.tf.tensor(values, t.shape)));
    });
  }

  dispose(): void {
    this.slots.flat().forEach((t) => t.dispose());
  }
}

/**
 * The gradients of `variables`, in their order, from `tf.variableGrads`' map. A variable the loss
 * does not reach has no entry there; that is an error here, named, rather than an undefined gradient.
 */
export function gradientsOf(grads: tfc.NamedTensorMap, variables: readonly tfc.Variable[]): tfc.Tensor[] {
  return variables.map((v) => {
    const g = grads[v.name];
    if (!g) throw new Error(`variable ${v.name} got no gradient: the loss does not depend on it`);
    return g;
  });
}

/** Scales gradients so that their global L2 norm is at most `maxNorm` (0 disables); returns the pre-clip norm. */
export function clipByGlobalNorm(tf: TF, grads: tfc.Tensor[], maxNorm: number): { grads: tfc.Tensor[]; norm: number } {
  const norm = tf.tidy(() => tf.addN(grads.map((g) => g.square().sum())).sqrt()).dataSync()[0]!;
  if (maxNorm <= 0 || !(norm > maxNorm)) return { grads, norm };
  const scale = maxNorm / norm;
  return { grads: grads.map((g) => g.mul(scale)), norm };
}
