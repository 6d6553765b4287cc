/**
 * Training along sampled paths (uniform single-path sampling): each step draws one candidate per
 * free layer from the checkpointed Rng, trains only that path's variables, and checkpoints every
 * K steps and at the end with the same format, resume and SIGTERM rules as child trials.
 * Position is the step count alone: epoch = step / stepsPerEpoch, and the epoch order comes
 * from Rng(seed, "order", epoch).
 */
import type * as tfc from '@tensorflow/tfjs';
import { at } from '../../common/indexing.js';
import { Rng } from '../../common/rng.js';
import type { ObjectStore } from '../../store/object-store.js';
import { makeBatch, type BatchArgs } from '../augment.js';
import type { TF } from '../backend.js';
import type { ImageSet } from '../cifar-format.js';
import { findLatestCheckpoint, saveCheckpoint, type Checkpoint } from '../checkpoint.js';
import type { DatasetSplits } from '../dataset.js';
import { BadSpecError, NumericalError, PreemptedError } from '../errors.js';
import { batchesOf } from '../loop.js';
import { Optimizer, clipByGlobalNorm, gradientsOf } from '../optimizers.js';
import { learningRate } from '../schedule.js';
import type { PonasSupernet } from './ponas-supernet.js';
import type { SupernetSpec } from './spec.js';

export interface SupernetLoopDeps {
  tf: TF;
  net: PonasSupernet;
  spec: SupernetSpec;
  data: DatasetSplits;
  out: ObjectStore;
  hash: string;
  /** Loads the starting weights of a progressive step (only when no checkpoint exists yet). */
  loadInit?: () => Promise<void>;
  shouldStop(): boolean;
  now(): number;
  log(msg: string): void;
}

export async function trainSupernet(d: SupernetLoopDeps) {
  const { tf, net, spec } = d;
  const r = spec.recipe;
  const train = d.data.train;
  const batch = Math.min(r.batchSize, train.count);
  const stepsPerEpoch = Math.max(1, Math.floor(train.count / batch));
  const total = spec.phase.type === 'meta' ? r.epochs * stepsPerEpoch : spec.phase.fineTuneSteps;
  const fixed = spec.phase.type === 'progressive' ? spec.phase.fixed : [];
  const vars = net.variables.map((v) => v.variable);
  const index = new Map(vars.map((v, i) => [v, i]));
  const opt = new Optimizer(tf, r.optimizer, r.weightDecay, vars);
  const aug: BatchArgs = { imageSize: r.imageSize, ...r.augment };

  const cp = await findLatestCheckpoint(d.out);
  const start = cp ? restore(d, opt, cp) : fresh(spec);
  const rng = start.rng;
  let { step, lossCurve, window } = start;
  if (cp) d.log(`resuming supernet from ${cp.key} (step ${step} of ${total})`);
  else if (d.loadInit) await d.loadInit();
  const checkpoint = () =>
    saveCheckpoint(d.out, {
      trainingHash: d.hash,
      step,
      epoch: Math.floor(step / stepsPerEpoch),
      batchInEpoch: step % stepsPerEpoch,
      rng: [...rng.state()] as [number, number, number, number],
      epochSums: { loss: window.loss, correct: 0, seen: window.seen, seconds: 0 },
      // Loss windows ride in the epoch-record history so the checkpoint format stays one format.
      history: lossCurve.map((l, i) => ({ epoch: i + 1, trainLoss: l, trainAccuracy: 0, valLoss: 0, valAccuracy: 0, lr: 0, imagesPerSecond: 0 })),
      tensors: net.variables.map((v) => ({ name: v.name, shape: [...v.variable.shape], values: v.variable.dataSync() as Float32Array })),
      optimizer: opt.getState(),
    });

  const resumedFrom = cp ? { step: cp.state.step, key: cp.key } : null;
  let images = 0;
  let seconds = 0;
  try {
    while (step < total) {
      if (d.shouldStop()) {
        await checkpoint();
        throw new PreemptedError(step);
      }
      const t0 = d.now();
      const epoch = Math.floor(step / stepsPerEpoch);
      const order = Rng.seeded(`${spec.seed}/order/${epoch}`).shuffle(Array.from({ length: train.count }, (_, i) => i));
      const b = step % stepsPerEpoch;
      const idx = order.slice(b * batch, (b + 1) * batch);
      const x = makeBatch(train, idx, aug, rng);
      const path = [...fixed, ...Array.from({ length: net.layerCount - fixed.length }, () => rng.int(spec.supernet.candidates.length))];
      const lr = learningRate(r.lr, step, stepsPerEpoch, Math.max(1, Math.ceil(total / stepsPerEpoch)));
      const loss = pathStep(
        tf,
        net,
        opt,
        index,
        x,
        idx.map((i) => at(train.labels, i, 'training example')),
        path,
        spec,
        lr,
      );
      if (!Number.isFinite(loss)) throw new NumericalError(step, loss);
      window = { loss: window.loss + loss * idx.length, seen: window.seen + idx.length };
      images += idx.length;
      seconds += (d.now() - t0) / 1000;
      step++;
      if (step % r.checkpointEverySteps === 0 || step === total) {
        lossCurve = [...lossCurve, window.loss / window.seen];
        window = { loss: 0, seen: 0 };
        await checkpoint();
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    opt.dispose();
  }
  return { steps: step, lossCurve, resumedFrom, images, seconds };
}

interface SupernetPosition {
  step: number;
  rng: Rng;
  lossCurve: number[];
  window: { loss: number; seen: number };
}

const fresh = (spec: SupernetSpec): SupernetPosition => ({ step: 0, rng: Rng.seeded(`${spec.seed}/augment`), lossCurve: [], window: { loss: 0, seen: 0 } });

function restore(d: SupernetLoopDeps, opt: Optimizer, cp: Checkpoint): SupernetPosition {
  if (cp.state.trainingHash !== d.hash) {
    throw new BadSpecError('output', `${d.out.describe('checkpoints')} holds checkpoints of a different spec; use a fresh output prefix`);
  }
  d.net.variables.forEach((v, i) => d.tf.tidy(() => v.variable.assign(d.tf.tensor(at(cp.weights, i, 'checkpoint tensor'), v.variable.shape))));
  opt.setState({ type: cp.state.optimizer.type, slots: cp.slots });
  return {
    step: cp.state.step,
    rng: Rng.fromState(cp.state.rng),
    lossCurve: cp.state.history.map((h) => h.trainLoss),
    window: { loss: cp.state.epochSums.loss, seen: cp.state.epochSums.seen },
  };
}

function pathStep(
  tf: TF,
  net: PonasSupernet,
  opt: Optimizer,
  index: Map<tfc.Variable, number>,
  x: Float32Array,
  labels: number[],
  path: number[],
  spec: SupernetSpec,
  lr: number,
): number {
  const side = spec.recipe.imageSize;
  const xs = tf.tensor4d(x, [labels.length, side, side, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), spec.supernet.classes).toFloat());
  const used = net.pathVariables(path);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(ys, net.forward(xs, path), undefined, spec.recipe.labelSmoothing) as tfc.Scalar,
    used,
  );
  const list = gradientsOf(grads, used);
  const clipped = clipByGlobalNorm(tf, list, spec.recipe.gradClipNorm);
  const loss = value.dataSync()[0]!;
  if (Number.isFinite(loss))
    opt.apply(
      clipped.grads,
      lr,
      used.map((v) => index.get(v) as number),
    );
  tf.dispose([xs, ys, value, ...list]);
  if (clipped.grads !== list) tf.dispose(clipped.grads);
  return loss;
}

/** Validation accuracy of one path (batch-statistics BN, see ponas-supernet.ts). */
export function evaluatePath(tf: TF, net: PonasSupernet, set: ImageSet, side: number, path: readonly number[]): number {
  let correct = 0;
  for (const b of batchesOf(set, side)) {
    const pred = tf.tidy(() =>
      net
        .forward(tf.tensor4d(b.x, [b.labels.length, side, side, 3]), path)
        .argMax(-1)
        .dataSync(),
    );
    for (let i = 0; i < b.labels.length; i++) if (pred[i] === b.labels[i]) correct++;
  }
  return correct / set.count;
}
