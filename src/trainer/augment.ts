/**
 * Turns stored images into a float batch (NHWC): the standard CIFAR augmentation (zero-pad by
 * `padCrop` and crop back at a random offset, horizontal flip, optional cutout), then
 * area-downsampling to the training side and per-channel normalisation. The random draws of a
 * batch are its {@link AugmentPlan}, drawn from the caller's {@link Rng} in a fixed order (per image:
 * crop x, crop y, flip, cutout x, cutout y), so the same generator state rebuilds an identical batch
 * and a plan drawn on one thread can be applied on another (./batch-source.ts).
 */
import type { Rng } from '../common/rng.js';
import { CHANNELS, IMAGE_BYTES, SIDE, type ImageSet } from './cifar-format.js';

/** CIFAR-10 training-set channel statistics (0-1 scale); every network the trainer trains expects inputs normalised by them. */
export const MEAN: readonly number[] = [0.4914, 0.4822, 0.4465];
export const STD: readonly number[] = [0.247, 0.2435, 0.2616];

export interface BatchArgs {
  /** Output side (divides 32). */
  imageSize: number;
  padCrop: number;
  flip: boolean;
  cutout: number;
}

/** The random draws of one batch, one entry per image. Plain typed arrays, so it crosses to a worker thread. */
export interface AugmentPlan {
  /** Crop offsets in [-padCrop, padCrop] (0 without padCrop). */
  ox: Int32Array;
  oy: Int32Array;
  /** 1: mirror horizontally. */
  flip: Uint8Array;
  /** Cutout centre, or -1 without cutout. */
  cx: Int32Array;
  cy: Int32Array;
}

/** Draws the augmentation of `n` images from `rng`, in the order {@link makeBatch} has always drawn them. */
export function drawPlan(rng: Rng, n: number, args: BatchArgs): AugmentPlan {
  const plan: AugmentPlan = {
    ox: new Int32Array(n),
    oy: new Int32Array(n),
    flip: new Uint8Array(n),
    cx: new Int32Array(n).fill(-1),
    cy: new Int32Array(n).fill(-1),
  };
  for (let i = 0; i < n; i++) {
    if (args.padCrop > 0) {
      plan.ox[i] = rng.int(2 * args.padCrop + 1) - args.padCrop;
      plan.oy[i] = rng.int(2 * args.padCrop + 1) - args.padCrop;
    }
    if (args.flip) plan.flip[i] = rng.next() < 0.5 ? 1 : 0;
    if (args.cutout > 0) {
      plan.cx[i] = rng.int(SIDE);
      plan.cy[i] = rng.int(SIDE);
    }
  }
  return plan;
}

/**
 * Fills a Float32Array of shape [indices.length, imageSize, imageSize, 3]. With `rng` null the
 * images are only resized and normalised (evaluation).
 */
export function makeBatch(set: ImageSet, indices: ArrayLike<number>, args: BatchArgs, rng: Rng | null): Float32Array {
  return applyPlan(set, indices, args, rng ? drawPlan(rng, indices.length, args) : null);
}

/** {@link makeBatch} with the draws given; `plan` null applies no augmentation. */
export function applyPlan(set: ImageSet, indices: ArrayLike<number>, args: BatchArgs, plan: AugmentPlan | null): Float32Array {
  const s = args.imageSize;
  const f = SIDE / s;
  if (!Number.isInteger(f)) throw new Error(`imageSize: expected a divisor of ${SIDE}, received ${s}`);
  const out = new Float32Array(indices.length * s * s * CHANNELS);
  const full = new Float32Array(SIDE * SIDE * CHANNELS);
  for (let n = 0; n < indices.length; n++) {
    const draw = plan ? { ox: plan.ox[n] ?? 0, oy: plan.oy[n] ?? 0, flip: plan.flip[n] === 1, cx: plan.cx[n] ?? -1, cy: plan.cy[n] ?? -1 } : NO_DRAW;
    augmentOne(set.images, indices[n]! * IMAGE_BYTES, args.cutout, draw, full);
    const base = n * s * s * CHANNELS;
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        for (let c = 0; c < CHANNELS; c++) {
          let sum = 0;
          for (let dy = 0; dy < f; dy++) {
            for (let dx = 0; dx < f; dx++) sum += full[((y * f + dy) * SIDE + (x * f + dx)) * CHANNELS + c]!;
          }
          out[base + (y * s + x) * CHANNELS + c] = (sum / (f * f) / 255 - MEAN[c]!) / STD[c]!;
        }
      }
    }
  }
  return out;
}

interface Draw {
  ox: number;
  oy: number;
  flip: boolean;
  cx: number;
  cy: number;
}

const NO_DRAW: Draw = { ox: 0, oy: 0, flip: false, cx: -1, cy: -1 };

/** Writes one augmented 32x32 image, HWC in 0-255 units, into `full`. */
function augmentOne(images: Uint8Array, offset: number, cutout: number, d: Draw, full: Float32Array): void {
  const { ox, oy, flip, cx, cy } = d;
  const half = cutout / 2;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const sx = (flip ? SIDE - 1 - x : x) + ox;
      const sy = y + oy;
      const inside = sx >= 0 && sx < SIDE && sy >= 0 && sy < SIDE;
      const cut = cx >= 0 && Math.abs(x - cx) < half && Math.abs(y - cy) < half;
      for (let c = 0; c < CHANNELS; c++) {
        const v = inside && !cut ? images[offset + c * SIDE * SIDE + sy * SIDE + sx]! : 0;
        full[(y * SIDE + x) * CHANNELS + c] = v;
      }
    }
  }
}
