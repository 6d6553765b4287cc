/**
 * One optimisation step and one evaluation pass, as pure functions of a model and a batch.
 * Every tensor is created and disposed inside here (tidy discipline), so a long run's memory is
 * flat.
 */
import type * as tfc from '@tensorflow/tfjs';
import type { TF } from './backend.js';
import { clipByGlobalNorm, gradientsOf, type Optimizer } from './optimizers.js';
import { at } from '../common/indexing.js';

export interface StepArgs {
  classes: number;
  labelSmoothing: number;
  auxWeight: number;
  gradClipNorm: number;
  lr: number;
}

/** The model's heads: its logits, and the auxiliary head's when it has one (src/models/build.ts). */
function heads(out: tfc.Tensor | tfc.Tensor[]): { main: tfc.Tensor; aux: tfc.Tensor | undefined } {
  return Array.isArray(out) ? { main: at(out, 0, 'model output'), aux: out[1] } : { main: out, aux: undefined };
}

/** Trains on one batch; returns the mean loss (main + weighted aux) and the number of correct predictions. */
export function trainStep(
  tf: TF,
  model: tfc.LayersModel,
  opt: Optimizer,
  x: Float32Array,
  labels: ArrayLike<number>,
  side: number,
  args: StepArgs,
): { loss: number; correct: number } {
  const n = labels.length;
  const xs = tf.tensor4d(x, [n, side, side, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), args.classes).toFloat());
  let logits: tfc.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const { main, aux } = heads(model.apply(xs, { training: true }) as tfc.Tensor | tfc.Tensor[]);
    logits = tf.keep(main);
    let loss = tf.losses.softmaxCrossEntropy(ys, main, undefined, args.labelSmoothing) as tfc.Scalar;
    // Added even at weight 0: then the aux head's variables get zero gradients instead of none,
    // which the optimizer (one slot per variable) needs; recipe.auxWeight 0 with macro.auxHead is valid.
    if (aux) {
      const auxLoss = tf.losses.softmaxCrossEntropy(ys, aux, undefined, args.labelSmoothing);
      loss = loss.add(auxLoss.mul(args.auxWeight));
    }
    return loss;
  }, [...opt.variables]);
  const list = gradientsOf(grads, opt.variables);
  const clipped = clipByGlobalNorm(tf, list, args.gradClipNorm);
  const loss = value.dataSync()[0]!;
  // A NaN loss must not reach the weights: the caller stops before the next checkpoint.
  if (Number.isFinite(loss)) opt.apply(clipped.grads, args.lr);
  const correct = countCorrect(tf, logits as tfc.Tensor, labels);
  tf.dispose([xs, ys, value, logits as tfc.Tensor, ...list]);
  if (clipped.grads !== list) tf.dispose(clipped.grads);
  return { loss, correct };
}

function countCorrect(tf: TF, logits: tfc.Tensor, labels: ArrayLike<number>): number {
  const pred = tf.tidy(() => logits.argMax(-1).dataSync());
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++;
  return correct;
}

/** Mean cross-entropy (no smoothing) and accuracy of the main head, in inference mode. */
export function evaluate(
  tf: TF,
  model: tfc.LayersModel,
  batches: Iterable<{ x: Float32Array; labels: ArrayLike<number> }>,
  side: number,
  classes: number,
): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for (const b of batches) {
    const n = b.labels.length;
    const { loss, logits } = tf.tidy(() => {
      const out = heads(model.apply(tf.tensor4d(b.x, [n, side, side, 3]), { training: false }) as tfc.Tensor | tfc.Tensor[]).main;
      const ys = tf.oneHot(tf.tensor1d(Array.from(b.labels), 'int32'), classes).toFloat();
      return { loss: tf.losses.softmaxCrossEntropy(ys, out).mul(n), logits: out };
    });
    lossSum += loss.dataSync()[0]!;
    correct += countCorrect(tf, logits, b.labels);
    seen += n;
    tf.dispose([loss, logits]);
  }
  return { loss: lossSum / Math.max(1, seen), accuracy: correct / Math.max(1, seen) };
}
