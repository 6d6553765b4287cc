/**
 * The training loop: epochs of shuffled, augmented batches with checkpoints every K steps and at
 * each epoch end, resume from the newest complete checkpoint, and a cooperative stop (SIGTERM)
 * that checkpoints before throwing {@link PreemptedError}.
 *
 * Determinism: the epoch order comes from Rng(seed, "order", epoch), augmentation from one
 * stateful Rng saved in every checkpoint (it also feeds tfjs's unseeded random ops such as
 * drop-path masks), and initial weights from Rng(seed, "init") (see run-trial.ts); with the
 * pure-JS backend a resumed run therefore repeats the uninterrupted run's arithmetic exactly.
 */
import type * as tfc from '@tensorflow/tfjs';
import { Rng } from '../common/rng.js';
import type { ObjectStore } from '../store/object-store.js';
import type { TF } from './backend.js';
import { makeBatch, type BatchArgs } from './augment.js';
import type { ImageSet } from './cifar-format.js';
import { findLatestCheckpoint, saveCheckpoint, type Checkpoint, type CheckpointState } from './checkpoint.js';
import type { DatasetSplits } from './dataset.js';
import { BadSpecError, NumericalError, PreemptedError } from './errors.js';
import type { BuiltModel } from './model.js';
import { withSeededRandom } from './seeded-random.js';
import { Optimizer } from './optimizers.js';
import type { EpochRecord } from './result.js';
import { learningRate } from './schedule.js';
import { trainingHash, type TrialSpec } from './spec.js';
import { evaluate, trainStep } from './steps.js';

export interface LoopDeps {
  tf: TF;
  built: BuiltModel;
  spec: TrialSpec;
  data: DatasetSplits;
  /** The trial's output prefix (checkpoints live under `checkpoints/`). */
  out: ObjectStore;
  /** Polled between steps; true once SIGTERM (or a test) asked the run to stop. */
  shouldStop(): boolean;
  /** Monotonic milliseconds. */
  now(): number;
  log(msg: string): void;
}

export interface LoopOutcome {
  history: EpochRecord[];
  steps: number;
  resumedFrom: { step: number; epoch: number; key: string } | null;
  /** Images trained and training seconds in this process (for throughput). */
  images: number;
  seconds: number;
}

const EVAL_BATCH = 100;

export async function trainLoop(d: LoopDeps): Promise<LoopOutcome> {
  const { tf, spec, out } = d;
  const r = spec.recipe;
  const model = d.built.model;
  const vars = model.trainableWeights.map((w) => w.read() as tfc.Variable);
  const opt = new Optimizer(tf, r.optimizer, r.weightDecay, vars);
  const hash = trainingHash(spec);
  const train = d.data.train;
  const batch = Math.min(r.batchSize, train.count);
  const stepsPerEpoch = Math.max(1, Math.floor(train.count / batch));
  const aug: BatchArgs = { imageSize: r.imageSize, ...r.augment };

  const cp = await findLatestCheckpoint(out);
  let pos: Position;
  if (cp) {
    pos = restore(tf, model, opt, cp, hash, out.describe('checkpoints'));
    d.log(`resuming from ${cp.key} (epoch ${pos.epoch + 1}, batch ${pos.batchInEpoch}, step ${pos.step})`);
  } else {
    pos = { step: 0, epoch: 0, batchInEpoch: 0, rng: Rng.seeded(`${spec.seed}/augment`), sums: zeroSums(), history: [] };
  }
  const resumedFrom = cp ? { step: cp.state.step, epoch: cp.state.epoch, key: cp.key } : null;
  let images = 0;
  let seconds = 0;

  const checkpoint = async (): Promise<void> => {
    await saveCheckpoint(out, {
      trainingHash: hash,
      step: pos.step,
      epoch: pos.epoch,
      batchInEpoch: pos.batchInEpoch,
      rng: [...pos.rng.state()] as [number, number, number, number],
      epochSums: pos.sums,
      history: pos.history,
      tensors: model.weights.map((w) => ({ name: w.originalName, shape: [...w.read().shape], values: w.read().dataSync() as Float32Array })),
      optimizer: opt.getState(),
    });
  };

  const stepArgs = { classes: spec.macro.classes, labelSmoothing: r.labelSmoothing, auxWeight: r.auxWeight, gradClipNorm: r.gradClipNorm };
  try {
    while (pos.epoch < r.epochs) {
      const order = Rng.seeded(`${spec.seed}/order/${pos.epoch}`).shuffle(Array.from({ length: train.count }, (_, i) => i));
      let lr = 0;
      while (pos.batchInEpoch < stepsPerEpoch) {
        if (d.shouldStop()) {
          await checkpoint();
          throw new PreemptedError(pos.step);
        }
        const t0 = d.now();
        const idx = order.slice(pos.batchInEpoch * batch, (pos.batchInEpoch + 1) * batch);
        const x = makeBatch(train, idx, aug, pos.rng);
        lr = learningRate(r.lr, pos.step, stepsPerEpoch, r.epochs);
        d.built.setProgress?.(pos.step / (stepsPerEpoch * r.epochs));
        const labels = idx.map((i) => train.labels[i]);
        const res = withSeededRandom(pos.rng, () => trainStep(tf, model, opt, x, labels, r.imageSize, { ...stepArgs, lr }));
        if (!Number.isFinite(res.loss)) throw new NumericalError(pos.step, res.loss);
        const dt = (d.now() - t0) / 1000;
        const s = pos.sums;
        pos.sums = { loss: s.loss + res.loss * idx.length, correct: s.correct + res.correct, seen: s.seen + idx.length, seconds: s.seconds + dt };
        images += idx.length;
        seconds += dt;
        pos.step++;
        pos.batchInEpoch++;
        if (pos.step % r.checkpointEverySteps === 0 && pos.batchInEpoch < stepsPerEpoch) await checkpoint();
        // Yield so that a SIGTERM handler can run between synchronous tfjs steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const rec = epochRecord(pos, evaluate(tf, model, batchesOf(d.data.val, r.imageSize), r.imageSize, spec.macro.classes), lr);
      pos.history.push(rec);
      d.log(`epoch ${rec.epoch}/${r.epochs}: loss ${rec.trainLoss.toFixed(4)} acc ${rec.trainAccuracy.toFixed(3)} val_acc ${rec.valAccuracy.toFixed(3)} ${rec.imagesPerSecond.toFixed(1)} img/s`);
      // The epoch-end checkpoint describes the start of the next epoch.
      pos = { ...pos, epoch: pos.epoch + 1, batchInEpoch: 0, sums: zeroSums() };
      await checkpoint();
    }
  } finally {
    opt.dispose();
  }
  return { history: pos.history, steps: pos.step, resumedFrom, images, seconds };
}

interface Position {
  step: number;
  epoch: number;
  batchInEpoch: number;
  rng: Rng;
  sums: CheckpointState['epochSums'];
  history: EpochRecord[];
}

function epochRecord(pos: Position, val: { loss: number; accuracy: number }, lr: number): EpochRecord {
  return {
    epoch: pos.epoch + 1,
    trainLoss: pos.sums.loss / pos.sums.seen,
    trainAccuracy: pos.sums.correct / pos.sums.seen,
    valLoss: val.loss,
    valAccuracy: val.accuracy,
    lr,
    imagesPerSecond: pos.sums.seen / Math.max(1e-9, pos.sums.seconds),
  };
}

const zeroSums = (): CheckpointState['epochSums'] => ({ loss: 0, correct: 0, seen: 0, seconds: 0 });

function restore(tf: TF, model: tfc.LayersModel, opt: Optimizer, cp: Checkpoint, hash: string, where: string): Position {
  if (cp.state.trainingHash !== hash) {
    throw new BadSpecError(
      'output',
      `${where} holds checkpoints of a different spec (training hash ${cp.state.trainingHash}, this spec ${hash}); use a fresh output prefix`,
    );
  }
  const ws = model.weights;
  if (ws.length !== cp.weights.length) {
    throw new BadSpecError('output', `${where}/${cp.key}: expected ${ws.length} weight tensors, received ${cp.weights.length}`);
  }
  ws.forEach((w, i) => {
    if (w.read().size !== cp.weights[i].length) {
      throw new BadSpecError('output', `${where}/${cp.key}: tensor ${i} (${w.originalName}) expected ${w.read().size} values, received ${cp.weights[i].length}`);
    }
    tf.tidy(() => {
      w.write(tf.tensor(cp.weights[i], w.read().shape));
    });
  });
  opt.setState({ type: cp.state.optimizer.type, slots: cp.slots });
  return {
    step: cp.state.step,
    epoch: cp.state.epoch,
    batchInEpoch: cp.state.batchInEpoch,
    rng: Rng.fromState(cp.state.rng),
    sums: cp.state.epochSums,
    history: cp.state.history,
  };
}

/** Evaluation batches of a split (no augmentation). */
export function* batchesOf(set: ImageSet, imageSize: number): Generator<{ x: Float32Array; labels: Uint8Array }> {
  const args: BatchArgs = { imageSize, padCrop: 0, flip: false, cutout: 0 };
  for (let s = 0; s < set.count; s += EVAL_BATCH) {
    const idx = Array.from({ length: Math.min(EVAL_BATCH, set.count - s) }, (_, i) => s + i);
    yield { x: makeBatch(set, idx, args, null), labels: set.labels.subarray(s, s + idx.length) };
  }
}
