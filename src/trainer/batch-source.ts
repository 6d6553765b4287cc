/**
 * Where the training loop gets its augmented batches: each step's batch is a pure function of
 * (seed, step, indices), so it can be built ahead of the step that uses it and a resumed run
 * rebuilds the batches the uninterrupted run trained on.
 *
 * Why a worker: the native backend runs a step synchronously on the main thread (tfjs-node's ops
 * block until TensorFlow returns), so nothing else on that thread can overlap it. The worker
 * source builds step k+1's batch on another thread while step k runs; the inline source builds
 * it on the main thread (the same arithmetic, bit for bit).
 */
import { Worker } from 'node:worker_threads';
import { Rng } from '../common/rng.js';
import { applyPlan, drawPlan, type AugmentPlan, type BatchArgs } from './augment.js';
import type { ImageSet } from './cifar-format.js';

export interface BatchSource {
  /** Starts building the batch of `step` (a no-op for the inline source). */
  prefetch(step: number, indices: readonly number[]): void;
  /** The batch of `step`: prefetched if it was asked for, built now otherwise. */
  take(step: number, indices: readonly number[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export type BatchSourceKind = 'worker' | 'inline';

/**
 * The augmentation of a step's batch. Its own generator per step, keyed by the trial seed and the
 * global step, so the draws do not depend on what ran before: not on a resume, not on a batch
 * built ahead, not on the stochastic layers' draws of earlier steps.
 */
export function stepPlan(seed: number, step: number, n: number, args: BatchArgs): AugmentPlan {
  return drawPlan(Rng.seeded(`${seed}/augment/${step}`), n, args);
}

export function createBatchSource(kind: BatchSourceKind, set: ImageSet, args: BatchArgs, seed: number): BatchSource {
  return kind === 'worker' ? new WorkerBatchSource(set, args, seed) : new InlineBatchSource(set, args, seed);
}

class InlineBatchSource implements BatchSource {
  constructor(
    private readonly set: ImageSet,
    private readonly args: BatchArgs,
    private readonly seed: number,
  ) {}

  prefetch(): void {}

  take(step: number, indices: readonly number[]): Promise<Float32Array> {
    return Promise.resolve(applyPlan(this.set, indices, this.args, stepPlan(this.seed, step, indices.length, this.args)));
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

/** Messages to the worker (./batch-worker.ts) and back. */
export interface BatchRequest {
  step: number;
  indices: Int32Array;
  plan: AugmentPlan;
  args: BatchArgs;
}
export interface BatchReply {
  step: number;
  x: Float32Array;
}

class WorkerBatchSource implements BatchSource {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { promise: Promise<Float32Array>; resolve(x: Float32Array): void; reject(err: Error): void }>();
  private failure: Error | undefined;

  constructor(
    set: ImageSet,
    private readonly args: BatchArgs,
    private readonly seed: number,
  ) {
    // The worker gets its own copy of the split once; afterwards only indices and draws cross.
    this.worker = new Worker(new URL('./batch-worker.js', import.meta.url), { workerData: { images: set.images, count: set.count } });
    this.worker.on('message', (m: BatchReply) => {
      this.pending.get(m.step)?.resolve(m.x);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`batch worker exited with code ${code}`)));
  }

  prefetch(step: number, indices: readonly number[]): void {
    if (this.pending.has(step) || this.failure) return;
    let resolve!: (x: Float32Array) => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<Float32Array>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A prefetched batch nobody takes (a stop between steps) must not become an unhandled rejection.
    promise.catch(() => undefined);
    this.pending.set(step, { promise, resolve, reject });
    const request: BatchRequest = { step, indices: Int32Array.from(indices), plan: stepPlan(this.seed, step, indices.length, this.args), args: this.args };
    this.worker.postMessage(request);
  }

  async take(step: number, indices: readonly number[]): Promise<Float32Array> {
    if (this.failure) throw this.failure;
    this.prefetch(step, indices);
    const entry = this.pending.get(step);
    if (!entry) throw new Error(`batch of step ${step} was not requested`);
    try {
      return await entry.promise;
    } finally {
      this.pending.delete(step);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  async dispose(): Promise<void> {
    this.failure ??= new Error('batch source disposed');
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
