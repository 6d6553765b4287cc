/**
 * An image folder (`ROOT/<class>/*.{jpg,jpeg,png}`, image-folder.ts) as training data: every image
 * is decoded natively, its shorter side resized to 32 and centre-cropped to 32x32 (the
 * downsampled-ImageNet recipe of Chrabaszcz et al. 2017, "ImageNet32x32"), and stored as a CIFAR
 * record, so the trainer's pipeline (augment.ts: pad-crop, flip, cutout, CIFAR normalisation)
 * runs unchanged. The validation split is stratified: the last `valFraction` of each class's
 * images in name order, so every class is validated. There is no test split. Labels are record
 * bytes, so at most 256 classes.
 */
import type * as tfc from '@tensorflow/tfjs';
import { readdir, stat } from 'node:fs/promises';
import type { TF } from './backend.js';
import { CHANNELS, IMAGE_BYTES, SIDE, TEST_FILE, TRAIN_FILE, type ImageSet } from './cifar-format.js';
import type { DatasetSplits, SplitArgs } from './dataset.js';
import { UnusableDataError } from './errors.js';
import { decodeImageFile, requireImageDecoder, scanImageFolder } from './image-folder.js';

/** True when `path` is a local directory that is not CIFAR binary but holds at least one subdirectory. */
export async function looksLikeImageFolder(path: string): Promise<boolean> {
  if (!(await stat(path).catch(() => undefined))?.isDirectory()) return false;
  const entries = await readdir(path, { withFileTypes: true });
  if (entries.some((e) => e.name === TEST_FILE || TRAIN_FILE.test(e.name))) return false;
  return entries.some((e) => e.isDirectory() && !e.name.startsWith('.'));
}

/** One decoded image as a 32x32 CIFAR record (channel-planar bytes). */
function toRecord(tf: TF, image: tfc.Tensor3D): Uint8Array {
  const hwc = tf.tidy(() => {
    const [h = 0, w = 0] = image.shape;
    const scale = SIDE / Math.min(h, w);
    const nh = Math.max(SIDE, Math.round(h * scale));
    const nw = Math.max(SIDE, Math.round(w * scale));
    const resized = tf.image.resizeBilinear(image.toFloat(), [nh, nw], false, true);
    const top = Math.floor((nh - SIDE) / 2);
    const left = Math.floor((nw - SIDE) / 2);
    return resized.slice([top, left, 0], [SIDE, SIDE, CHANNELS]).round().clipByValue(0, 255);
  });
  const data = hwc.dataSync();
  hwc.dispose();
  const out = new Uint8Array(IMAGE_BYTES);
  for (let p = 0; p < SIDE * SIDE; p++) for (let c = 0; c < CHANNELS; c++) out[c * SIDE * SIDE + p] = data[p * CHANNELS + c]!;
  return out;
}

/** Decodes and splits; throws {@link UnusableDataError} naming the folder or file at fault. */
export async function loadImageFolderDataset(tf: TF, pkg: string, root: string, uri: string, args: SplitArgs): Promise<DatasetSplits> {
  let decode: ReturnType<typeof requireImageDecoder>;
  try {
    decode = requireImageDecoder(tf, pkg);
  } catch (err) {
    // Retrying on the same image would not bring a decoder: the trial fails as unusable data (exit 2).
    throw new UnusableDataError(uri, (err as Error).message);
  }
  const folder = await scanImageFolder(root);
  if (folder.classes.length > args.classes) {
    throw new UnusableDataError(
      uri,
      `${folder.classes.length} class folders but macro.classes=${args.classes}; set macro.classes to at least ${folder.classes.length}`,
    );
  }
  const perClass = folder.classes.map(() => [] as number[]);
  folder.files.forEach((f, i) => perClass[f.label]?.push(i));
  if (folder.classes.length > 256) {
    throw new UnusableDataError(uri, `${folder.classes.length} class folders; the trainer's records hold labels 0-255 (CIFAR format), so at most 256 classes`);
  }
  const trainPerClass: number[][] = [];
  const valIdx: number[] = [];
  for (const [label, idx] of perClass.entries()) {
    const val = Math.round(idx.length * args.valFraction);
    if (idx.length - val < 1 || (args.valFraction > 0 && val < 1)) {
      throw new UnusableDataError(
        uri,
        `class folder ${JSON.stringify(folder.classes[label])} has ${idx.length} image(s), too few to split with valFraction ${args.valFraction}; add images`,
      );
    }
    trainPerClass.push(idx.slice(0, idx.length - val));
    valIdx.push(...idx.slice(idx.length - val));
  }
  // Classes interleaved, so a maxTrainSamples cap keeps every class.
  const trainIdx: number[] = [];
  for (let r = 0; trainIdx.length < folder.files.length - valIdx.length; r++) {
    for (const idx of trainPerClass) if (r < idx.length) trainIdx.push(idx[r]!);
  }
  const read = async (indices: number[]): Promise<ImageSet> => {
    const images = new Uint8Array(indices.length * IMAGE_BYTES);
    const labels = new Uint8Array(indices.length);
    for (const [n, i] of indices.entries()) {
      const f = folder.files[i]!;
      const raw = await decodeImageFile(decode, uri, f.path);
      try {
        images.set(toRecord(tf, raw), n * IMAGE_BYTES);
      } finally {
        raw.dispose();
      }
      labels[n] = f.label;
    }
    return { images, labels, count: indices.length };
  };
  const train = args.maxTrainSamples > 0 ? trainIdx.slice(0, args.maxTrainSamples) : trainIdx;
  return { train: await read(train), val: await read(valIdx) };
}
