/**
 * `nasflow zoo evaluate`: top-1 / top-5 accuracy of a saved tfjs layers model (a `search export`
 * directory, or any model.json + weights.bin) on a labelled dataset, read in one of two formats:
 *
 * - CIFAR-10 binary (a directory or S3 prefix with `data_batch_<n>.bin` / `test_batch.bin`): the
 *   test split `test_batch.bin`, preprocessed exactly as the trainer evaluates (area downsampling
 *   to the model's side, the trainer's CIFAR normalisation: augment.ts).
 * - an image folder (a local directory `ROOT/<class>/*.{jpg,jpeg,png}`): decoded natively,
 *   resized and centre-cropped as in standard ImageNet evaluation, normalised by `--normalize`
 *   (image-folder.ts).
 *
 * With a zoo model name the weights must be that model's: same input side, class count and
 * trainable parameter count as the registry's definition, or the evaluation refuses to start.
 */
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { costOfDef, getModel, trainableParams } from '../models/index.js';
import { loadModelFromDir } from '../models/model-files.js';
import { isObjectNotFound } from '../store/object-store.js';
import type { S3Env } from '../store/s3-store.js';
import { openPrefix, parseStoreUri } from '../store/uri.js';
import { MEAN, STD, makeBatch } from './augment.js';
import type { TF } from './backend.js';
import { TEST_FILE, TRAIN_FILE, decodeRecords, type ImageSet } from './cifar-format.js';
import { UnusableDataError } from './errors.js';
import { decodeImageFile, preprocessImage, requireImageDecoder, scanImageFolder, type ImageFolder } from './image-folder.js';

/** Input normalisations: `trainer` is what nasflow-trained networks expect (the CIFAR-10 statistics). */
export const NORMALIZATIONS: Readonly<Record<string, { mean: readonly number[]; std: readonly number[] }>> = {
  trainer: { mean: MEAN, std: STD },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  none: { mean: [0, 0, 0], std: [1, 1, 1] },
};

export interface EvaluateArgs {
  tf: TF;
  /** Which backend package loaded (`tfjs-node` or `cpu`), for the decoder check. */
  pkg: string;
  /** A tfjs layers model directory (model.json + weights). */
  weights: string;
  /** A zoo model name the weights must match; absent: the weights' own shapes are used. */
  model?: string;
  /** CIFAR-10 binary (dir or s3:// prefix) or an image-folder directory. */
  dataset: string;
  env: S3Env;
  /** Default: 32 */
  batchSize?: number;
  /** Image folders only. Default: 0.875 */
  cropFraction?: number;
  /** Image folders only; a key of {@link NORMALIZATIONS}. Default: 'trainer' */
  normalize?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluateResult {
  model: string | null;
  weights: string;
  dataset: string;
  format: 'cifar-binary' | 'image-folder';
  /** Input side the images were brought to. */
  inputSize: number;
  classes: number;
  count: number;
  correct1: number;
  correct5: number;
  /** Percent. */
  top1: number;
  /** Percent; k is min(5, classes). */
  top5: number;
  seconds: number;
  imagesPerSecond: number;
}

/** A labelled dataset read batch by batch into a float NHWC tensor. */
interface EvalSource {
  format: EvaluateResult['format'];
  count: number;
  /** Labels of every image, in order. */
  labels: ArrayLike<number>;
  /** Highest class count the labels need (image folders: their folder count). */
  classes: number;
  classesExact: boolean;
  batch(start: number, end: number): Promise<tfc.Tensor4D>;
}

function weightsShape(model: tfc.LayersModel, dir: string): { side: number; classes: number } {
  const input = model.inputs[0]?.shape ?? [];
  const [, h, w, c] = input;
  if (model.inputs.length !== 1 || input.length !== 4 || c !== 3 || h === null || h === undefined || h !== w) {
    throw new Error(
      `--weights ${dir}: expected one square RGB image input [null, side, side, 3], received ${JSON.stringify(model.inputs.map((i) => i.shape))}`,
    );
  }
  const out = model.outputs[0]?.shape ?? [];
  const classes = out[1];
  if (out.length !== 2 || typeof classes !== 'number')
    throw new Error(`--weights ${dir}: expected logits [null, classes] as the first output, received ${JSON.stringify(out)}`);
  return { side: h, classes };
}

async function loadWeights(tf: TF, dir: string): Promise<tfc.LayersModel> {
  try {
    await access(join(dir, 'model.json'));
  } catch {
    throw new Error(
      `--weights ${dir}: no model.json there; expected a tfjs layers model directory (model.json + weights.bin, as "nasflow search export --out DIR" writes)`,
    );
  }
  return loadModelFromDir(tf, dir);
}

/** Refuses weights that are not the named zoo model's: input side, classes and trainable parameters must match. */
function checkZooModel(name: string, model: tfc.LayersModel, shape: { side: number; classes: number }, dir: string): void {
  const entry = getModel(name);
  const params = trainableParams(model);
  const expected = costOfDef(entry.def()).params;
  const problems: string[] = [];
  if (shape.side !== entry.inputSize) problems.push(`input ${shape.side}x${shape.side} (${name} takes ${entry.inputSize}x${entry.inputSize})`);
  if (shape.classes !== entry.classes) problems.push(`${shape.classes} classes (${name} has ${entry.classes})`);
  if (params !== expected) problems.push(`${params.toLocaleString('en-US')} trainable parameters (${name} has ${expected.toLocaleString('en-US')})`);
  if (problems.length > 0) {
    throw new Error(
      `--weights ${dir} are not ${name}'s: ${problems.join(', ')}; pass the weights of ${name}, or leave out the model name to evaluate the weights as saved`,
    );
  }
}

async function isCifarDir(path: string): Promise<boolean> {
  const names = await readdir(path).catch(() => [] as string[]);
  return names.some((n) => n === TEST_FILE || TRAIN_FILE.test(n));
}

async function cifarSource(tf: TF, uri: string, side: number, env: EvaluateArgs['env']): Promise<EvalSource> {
  const opened = openPrefix(uri, env);
  let set: ImageSet;
  try {
    const bytes = await opened.store.get(TEST_FILE).catch((err: unknown) => {
      if (isObjectNotFound(err)) throw new UnusableDataError(uri, `no ${TEST_FILE} (the CIFAR-10 test split the evaluation reads)`);
      throw err;
    });
    set = decodeRecords(bytes, (msg) => new UnusableDataError(uri, `${TEST_FILE}: ${msg}`));
  } finally {
    opened.close();
  }
  const args = { imageSize: side, padCrop: 0, flip: false, cutout: 0 };
  return {
    format: 'cifar-binary',
    count: set.count,
    labels: set.labels,
    classes: Math.max(...set.labels) + 1,
    classesExact: false,
    batch: (start, end) => {
      const idx = Array.from({ length: end - start }, (_, i) => start + i);
      return Promise.resolve(tf.tensor4d(makeBatch(set, idx, args, null), [idx.length, side, side, 3]));
    },
  };
}

function folderSource(tf: TF, pkg: string, folder: ImageFolder, side: number, a: EvaluateArgs): EvalSource {
  const decode = requireImageDecoder(tf, pkg);
  const norm = NORMALIZATIONS[a.normalize ?? 'trainer'];
  if (!norm) throw new Error(`--normalize: expected one of ${Object.keys(NORMALIZATIONS).join(', ')}, received ${JSON.stringify(a.normalize)}`);
  const pre = { size: side, cropFraction: a.cropFraction ?? 0.875, mean: norm.mean, std: norm.std };
  return {
    format: 'image-folder',
    count: folder.files.length,
    labels: folder.files.map((f) => f.label),
    classes: folder.classes.length,
    classesExact: true,
    batch: async (start, end) => {
      const images: tfc.Tensor3D[] = [];
      try {
        for (const f of folder.files.slice(start, end)) {
          const raw = await decodeImageFile(decode, folder.root, f.path);
          images.push(preprocessImage(tf, raw, pre));
          raw.dispose();
        }
        return tf.stack(images) as tfc.Tensor4D;
      } finally {
        for (const t of images) t.dispose();
      }
    },
  };
}

export async function evaluateModel(a: EvaluateArgs): Promise<EvaluateResult> {
  const { tf } = a;
  const batchSize = a.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch-size must be a positive integer; received ${batchSize}`);
  const cropFraction = a.cropFraction ?? 0.875;
  if (!(cropFraction > 0 && cropFraction <= 1)) throw new Error(`--crop-fraction must be in (0, 1]; received ${cropFraction}`);
  const loc = parseStoreUri(a.dataset);
  // The dataset is checked before the (possibly large) model loads.
  const folder = loc.kind === 'file' && !(await isCifarDir(loc.path)) ? await scanImageFolder(loc.path) : undefined;
  if (folder) requireImageDecoder(tf, a.pkg);
  const model = await loadWeights(tf, a.weights);
  try {
    const shape = weightsShape(model, a.weights);
    if (a.model) checkZooModel(a.model, model, shape, a.weights);
    const source = folder ? folderSource(tf, a.pkg, folder, shape.side, { ...a, cropFraction }) : await cifarSource(tf, a.dataset, shape.side, a.env);
    if (source.classesExact ? source.classes !== shape.classes : source.classes > shape.classes) {
      const listed = folder ? ` (${folder.classes.slice(0, 5).join(', ')}${folder.classes.length > 5 ? ', …' : ''})` : '';
      throw new UnusableDataError(
        a.dataset,
        `${source.classes} classes${listed}, but the model at --weights ${a.weights} outputs ${shape.classes}; evaluate on a dataset with one class folder per model class, in the label order the model was trained with`,
      );
    }
    const k = Math.min(5, shape.classes);
    let correct1 = 0;
    let correct5 = 0;
    const started = performance.now();
    for (let start = 0; start < source.count; start += batchSize) {
      const end = Math.min(source.count, start + batchSize);
      const input = await source.batch(start, end);
      const top = tf.tidy(() => {
        const out = model.predict(input);
        const logits = (Array.isArray(out) ? out[0] : out) as tfc.Tensor2D;
        return tf.topk(logits, k).indices;
      });
      input.dispose();
      const indices = (await top.array()) as number[][];
      top.dispose();
      for (const [i, row] of indices.entries()) {
        const label = source.labels[start + i];
        if (row[0] === label) correct1++;
        if (label !== undefined && row.includes(label)) correct5++;
      }
      a.onProgress?.(end, source.count);
    }
    const seconds = (performance.now() - started) / 1000;
    const pct = (n: number): number => (source.count === 0 ? 0 : (100 * n) / source.count);
    return {
      model: a.model ?? null,
      weights: a.weights,
      dataset: a.dataset,
      format: source.format,
      inputSize: shape.side,
      classes: shape.classes,
      count: source.count,
      correct1,
      correct5,
      top1: pct(correct1),
      top5: pct(correct5),
      seconds,
      imagesPerSecond: seconds > 0 ? source.count / seconds : 0,
    };
  } finally {
    model.dispose();
  }
}
