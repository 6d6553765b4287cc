/**
 * The training loop: epochs of shuffled, augmented batches with checkpoints every K steps and at
 * each epoch end, resume from the newest complete checkpoint, and a cooperative stop (SIGTERM)
 * that checkpoints before throwing {@link PreemptedError}.
 *
 * Determinism: the epoch order comes from Rng(seed, "order", epoch), each step's augmentation
 * from Rng(seed, "augment", step) (./batch-source.ts; built ahead of the step), tfjs's unseeded
 * random ops such as drop-path masks from one stateful Rng saved in every checkpoint, and initial
 * weights from Rng(seed, "init") (see run-trial.ts); with the pure-JS backend a resumed run
 * therefore repeats the uninterrupted run's arithmetic exactly.
 */
import type * as tfc from '@tensorflow/tfjs';
import { at } from '../common/indexing.js';
import { Rng } from '../common/rng.js';
import type { ObjectStore } from '../store/object-store.js';
import type { TF } from './backend.js';
import { makeBatch, type BatchArgs } from './augment.js';
import { createBatchSource, type BatchSource, type BatchSourceKind } from './batch-source.js';
import type { ImageSet } from './cifar-format.js';
import { findLatestCheckpoint, saveCheckpoint, type Checkpoint, type CheckpointState } from './checkpoint.js';
import type { DatasetSplits } from './dataset.js';
import { BadSpecError, NumericalError, PreemptedError } from './errors.js';
import type { BuiltModel } from './model.js';
import { withSeededRandom } from './seeded-random.js';
import { Optimizer } from './optimizers.js';
import type { EpochRecord } from '../api/trial-result.js';
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
  /** Where batches are built. Default: `worker` (off the main thread, one step ahead). */
  batchSource?: BatchSourceKind;
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
  const run = new ChildRun(d);
  try {
    const resumedFrom = await run.start();
    while (run.pos.epoch < d.spec.recipe.epochs) await run.epoch();
    return { history: run.pos.history, steps: run.pos.step, resumedFrom, images: run.images, seconds: run.seconds };
  } finally {
    await run.dispose();
  }
}

/** One child-network training run: its position, optimizer and throughput counters. */
class ChildRun {
  pos: Position;
  images = 0;
  seconds = 0;
  private readonly opt: Optimizer;
  private readonly hash: string;
  private readonly batch: number;
  private readonly stepsPerEpoch: number;
  private readonly batches: BatchSource;

  constructor(private readonly d: LoopDeps) {
    const r = d.spec.recipe;
    const vars = d.built.model.trainableWeights.map((w) => w.read() as tfc.Variable);
    this.opt = new Optimizer(d.tf, r.optimizer, r.weightDecay, vars);
    this.hash = trainingHash(d.spec);
    this.batch = Math.min(r.batchSize, d.data.train.count);
    this.stepsPerEpoch = Math.max(1, Math.floor(d.data.train.count / this.batch));
    this.batches = createBatchSource(d.batchSource ?? 'worker', d.data.train, { imageSize: r.imageSize, ...r.augment }, d.spec.seed);
    // The checkpointed stream of tfjs's unseeded random ops (drop-path masks); augmentation no longer draws from it.
    this.pos = { step: 0, epoch: 0, batchInEpoch: 0, rng: Rng.seeded(`${d.spec.seed}/augment`), sums: zeroSums(), history: [] };
  }

  /** Restores the newest complete checkpoint, if any; returns what it resumed from. */
  async start(): Promise<LoopOutcome['resumedFrom']> {
    const cp = await findLatestCheckpoint(this.d.out);
    if (!cp) return null;
    this.pos = restore(this.d.tf, this.d.built.model, this.opt, cp, this.hash, this.d.out.describe('checkpoints'));
    this.d.log(`resuming from ${cp.key} (epoch ${this.pos.epoch + 1}, batch ${this.pos.batchInEpoch}, step ${this.pos.step})`);
    return { step: cp.state.step, epoch: cp.state.epoch, key: cp.key };
  }

  /** Trains the rest of the current epoch, evaluates, and checkpoints the start of the next. */
  async epoch(): Promise<void> {
    const { d, pos } = this;
    const r = d.spec.recipe;
    const order = Rng.seeded(`${d.spec.seed}/order/${pos.epoch}`).shuffle(Array.from({ length: d.data.train.count }, (_, i) => i));
    let lr = 0;
    while (this.pos.batchInEpoch < this.stepsPerEpoch) {
      if (d.shouldStop()) {
        await this.checkpoint();
        throw new PreemptedError(this.pos.step);
      }
      lr = await this.step(order);
      if (this.pos.step % r.checkpointEverySteps === 0 && this.pos.batchInEpoch < this.stepsPerEpoch) await this.checkpoint();
      // Yield so that a SIGTERM handler can run between synchronous tfjs steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const val = evaluate(d.tf, d.built.model, batchesOf(d.data.val, r.imageSize), r.imageSize, d.spec.macro.classes);
    const rec = epochRecord(this.pos, val, lr);
    this.pos.history.push(rec);
    d.log(
      `epoch ${rec.epoch}/${r.epochs}: loss ${rec.trainLoss.toFixed(4)} acc ${rec.trainAccuracy.toFixed(3)} val_acc ${rec.valAccuracy.toFixed(3)} ${rec.imagesPerSecond.toFixed(1)} img/s`,
    );
    this.pos = { ...this.pos, epoch: this.pos.epoch + 1, batchInEpoch: 0, sums: zeroSums() };
    await this.checkpoint();
  }

  /** One optimizer step on the next batch of `order`; returns the learning rate used. */
  private async step(order: number[]): Promise<number> {
    const { d, pos } = this;
    const r = d.spec.recipe;
    const t0 = d.now();
    const batchIndices = (b: number): number[] => order.slice(b * this.batch, (b + 1) * this.batch);
    const idx = batchIndices(pos.batchInEpoch);
    const x = await this.batches.take(pos.step, idx);
    // Built while this step runs; the next epoch's first batch waits for its epoch's order.
    if (pos.batchInEpoch + 1 < this.stepsPerEpoch) this.batches.prefetch(pos.step + 1, batchIndices(pos.batchInEpoch + 1));
    const labels = idx.map((i) => at(d.data.train.labels, i, 'training example'));
    const lr = learningRate(r.lr, pos.step, this.stepsPerEpoch, r.epochs);
    d.built.setProgress?.(pos.step / (this.stepsPerEpoch * r.epochs));
    const args = { classes: d.spec.macro.classes, labelSmoothing: r.labelSmoothing, auxWeight: r.auxWeight, gradClipNorm: r.gradClipNorm, lr };
    const res = withSeededRandom(pos.rng, () => trainStep(d.tf, d.built.model, this.opt, x, labels, r.imageSize, args));
    if (!Number.isFinite(res.loss)) throw new NumericalError(pos.step, res.loss);
    const dt = (d.now() - t0) / 1000;
    const s = pos.sums;
    pos.sums = { loss: s.loss + res.loss * idx.length, correct: s.correct + res.correct, seen: s.seen + idx.length, seconds: s.seconds + dt };
    this.images += idx.length;
    this.seconds += dt;
    pos.step++;
    pos.batchInEpoch++;
    return lr;
  }

  private async checkpoint(): Promise<void> {
    const { pos } = this;
    await saveCheckpoint(this.d.out, {
      trainingHash: this.hash,
      step: pos.step,
      epoch: pos.epoch,
      batchInEpoch: pos.batchInEpoch,
      rng: [...pos.rng.state()] as [number, number, number, number],
      epochSums: pos.sums,
      history: pos.history,
      tensors: this.d.built.model.weights.map((w) => ({ name: w.originalName, shape: [...w.read().shape], values: w.read().dataSync() as Float32Array })),
      optimizer: this.opt.getState(),
    });
  }

  async dispose(): Promise<void> {
    try {
      this.opt.dispose();
    } finally {
      await this.batches.dispose();
    }
  }
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
    const values = cp.weights[i]!; // same length as ws, checked above
    if (w.read().size !== values.length) {
      throw new BadSpecError('output', `${where}/${cp.key}: tensor ${i} (${w.originalName}) expected ${w.read().size} values, received ${values.length}`);
    }
    tf.tidy(() => {
      w.write(tf.tensor(values, w.read().shape));
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
