/**
 * Turns stored images into a float batch (NHWC): the standard CIFAR augmentation (zero-pad by
 * `padCrop` and crop back at a random offset, horizontal flip, optional cutout), then
 * area-downsampling to the training side and per-channel normalisation. Every random draw comes
 * from the caller's {@link Rng} in a fixed order, so a resumed run rebuilds identical batches.
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

/**
 * Fills a Float32Array of shape [indices.length, imageSize, imageSize, 3]. With `rng` null the
 * images are only resized and normalised (evaluation).
 */
export function makeBatch(set: ImageSet, indices: ArrayLike<number>, args: BatchArgs, rng: Rng | null): Float32Array {
  const s = args.imageSize;
  const f = SIDE / s;
  if (!Number.isInteger(f)) throw new Error(`imageSize: expected a divisor of ${SIDE}, received ${s}`);
  const out = new Float32Array(indices.length * s * s * CHANNELS);
  const full = new Float32Array(SIDE * SIDE * CHANNELS);
  for (let n = 0; n < indices.length; n++) {
    augmentOne(set.images, indices[n]! * IMAGE_BYTES, args, rng, full);
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

/** Writes one augmented 32x32 image, HWC in 0-255 units, into `full`. */
function augmentOne(images: Uint8Array, offset: number, args: BatchArgs, rng: Rng | null, full: Float32Array): void {
  let ox = 0;
  let oy = 0;
  let flip = false;
  let cx = -1;
  let cy = -1;
  if (rng) {
    if (args.padCrop > 0) {
      ox = rng.int(2 * args.padCrop + 1) - args.padCrop;
      oy = rng.int(2 * args.padCrop + 1) - args.padCrop;
    }
    if (args.flip) flip = rng.next() < 0.5;
    if (args.cutout > 0) {
      cx = rng.int(SIDE);
      cy = rng.int(SIDE);
    }
  }
  const half = args.cutout / 2;
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
