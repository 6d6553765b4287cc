/**
 * The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html, "binary version"):
 * files of 3073-byte records, each one label byte followed by a 32x32 image stored channel-planar
 * (1024 red, 1024 green, 1024 blue bytes, rows top to bottom). Training files are
 * `data_batch_<n>.bin`, the test file `test_batch.bin`, class names one per line in
 * `batches.meta.txt`.
 */
import { at } from '../common/indexing.js';

export const SIDE = 32;
export const CHANNELS = 3;
export const IMAGE_BYTES = SIDE * SIDE * CHANNELS;
export const RECORD_BYTES = IMAGE_BYTES + 1;
export const TRAIN_FILE = /^data_batch_(\d+)\.bin$/;
export const TEST_FILE = 'test_batch.bin';
export const META_FILE = 'batches.meta.txt';
/** Records per file in the original release; the synthetic writer keeps the same split. */
export const RECORDS_PER_FILE = 10_000;

/** Images (planar, IMAGE_BYTES each) and labels of one split, held in memory. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Splits the bytes of one batch file; `problem` receives a description when the file is malformed. */
export function decodeRecords(bytes: Uint8Array, problem: (msg: string) => Error): ImageSet {
  if (bytes.byteLength === 0 || bytes.byteLength % RECORD_BYTES !== 0) {
    throw problem(`expected a multiple of ${RECORD_BYTES} bytes (label + 32x32x3), received ${bytes.byteLength}`);
  }
  const count = bytes.byteLength / RECORD_BYTES;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = bytes[i * RECORD_BYTES]!;
    images.set(bytes.subarray(i * RECORD_BYTES + 1, (i + 1) * RECORD_BYTES), i * IMAGE_BYTES);
  }
  return { images, labels, count };
}

export function encodeRecords(set: ImageSet, start = 0, end = set.count): Uint8Array {
  const out = new Uint8Array((end - start) * RECORD_BYTES);
  for (let i = start; i < end; i++) {
    const o = (i - start) * RECORD_BYTES;
    out[o] = at(set.labels, i, 'record');
    out.set(set.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), o + 1);
  }
  return out;
}

/** Concatenates splits (in order). */
export function concatSets(sets: readonly ImageSet[]): ImageSet {
  const count = sets.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  let filled = 0;
  for (const s of sets) {
    images.set(s.images, filled * IMAGE_BYTES);
    labels.set(s.labels, filled);
    filled += s.count;
  }
  return { images, labels, count };
}

/** Records [start, end) of a split, sharing no memory with it. */
export function sliceSet(set: ImageSet, start: number, end: number): ImageSet {
  return {
    images: set.images.slice(start * IMAGE_BYTES, end * IMAGE_BYTES),
    labels: set.labels.slice(start, end),
    count: end - start,
  };
}
