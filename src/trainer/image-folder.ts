/**
 * The image-folder dataset layout (torchvision `ImageFolder`, the usual ImageNet layout):
 * `ROOT/<class>/<image>.{jpg,jpeg,png}`, one folder per class. Labels are the class folders'
 * positions in code-point order of their names (for ImageNet's `n01440764`… synset folders this
 * is the standard label order); images within a class are read in name order. Files with other
 * extensions and hidden entries are skipped.
 *
 * Decoding is native: `tf.node.decodeImage` of the tfjs-node backend (libjpeg / libpng inside
 * TensorFlow). The pure-JS backend has no image decoder, so {@link requireImageDecoder} refuses
 * it with the fix instead of failing on the first file.
 *
 * Evaluation preprocessing ({@link preprocessImage}) is the standard ImageNet one: resize the
 * shorter side to `size / cropFraction` (bilinear, half-pixel centres; 256 for a 224 crop at
 * 0.875), centre-crop `size` x `size`, scale to 0-1 and normalise per channel.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import type { TF } from './backend.js';
import { UnusableDataError } from './errors.js';

export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png'];

export interface ImageFolderFile {
  path: string;
  label: number;
}

export interface ImageFolder {
  root: string;
  /** Class folder names; the label of a file is its folder's index here. */
  classes: string[];
  /** Every image, class by class, in name order. */
  files: ImageFolderFile[];
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Lists the classes and images under `root`; throws {@link UnusableDataError} naming the folder at fault. */
export async function scanImageFolder(root: string): Promise<ImageFolder> {
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UnusableDataError(root, 'no such directory; expected ROOT/<class>/<image>.{jpg,jpeg,png}');
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const classes = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(byCodePoint);
  if (classes.length === 0) {
    throw new UnusableDataError(root, `no class folders; expected ROOT/<class>/<image>.{jpg,jpeg,png} (found ${entries.length} other entries)`);
  }
  const files: ImageFolderFile[] = [];
  for (const [label, name] of classes.entries()) {
    const images = (await readdir(join(root, name), { withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort(byCodePoint);
    if (images.length === 0) {
      throw new UnusableDataError(
        root,
        `class folder ${JSON.stringify(name)} holds no ${IMAGE_EXTENSIONS.join('/')} images; remove the folder or add its images`,
      );
    }
    for (const image of images) files.push({ path: join(root, name, image), label });
  }
  return { root, classes, files };
}

interface NodeImageApi {
  node?: { decodeImage(contents: Uint8Array, channels?: number, dtype?: 'int32', expandAnimations?: boolean): tfc.Tensor3D | tfc.Tensor4D };
}

/** The native decoder, or an error saying the pure-JS backend cannot read JPEG/PNG and how to get the native one. */
export function requireImageDecoder(tf: TF, pkg: string): NonNullable<NodeImageApi['node']>['decodeImage'] {
  const node = (tf as unknown as NodeImageApi).node;
  if (!node) {
    throw new Error(
      `image-folder datasets need the native tfjs-node backend to decode JPEG/PNG (tf.node.decodeImage); the ${pkg} backend loaded, which has no image decoder. ` +
        'Provision the native backend (npm ci runs scripts/provision-tfjs-node.sh; "nasflow doctor" says why it did not load) and leave NASFLOW_TF_BACKEND unset or "node", ' +
        'or use a CIFAR-10 binary dataset',
    );
  }
  return node.decodeImage.bind(node);
}

/** Reads and decodes one image file to an int32 [h, w, 3] tensor; an undecodable file is an {@link UnusableDataError} naming it. */
export async function decodeImageFile(decode: ReturnType<typeof requireImageDecoder>, root: string, path: string): Promise<tfc.Tensor3D> {
  const bytes = await readFile(path);
  try {
    return decode(bytes, 3, 'int32', false) as tfc.Tensor3D;
  } catch (err) {
    const [reason = ''] = (err instanceof Error ? err.message : String(err)).split('\n');
    throw new UnusableDataError(root, `cannot decode ${path} as JPEG or PNG (${reason}); remove or replace the file`);
  }
}

export interface PreprocessArgs {
  /** Output side in pixels (the model's input side). */
  size: number;
  /** The crop's share of the resized shorter side. Default: 0.875 (resize 256, crop 224). */
  cropFraction: number;
  /** Per-channel mean and standard deviation on the 0-1 scale. */
  mean: readonly number[];
  std: readonly number[];
}

/** Resize shorter side, centre crop, normalise: [h, w, 3] int32 → [size, size, 3] float32. Disposes nothing it was given. */
export function preprocessImage(tf: TF, image: tfc.Tensor3D, a: PreprocessArgs): tfc.Tensor3D {
  return tf.tidy(() => {
    const [h = 0, w = 0] = image.shape;
    const shorter = Math.max(a.size, Math.round(a.size / a.cropFraction));
    const scale = shorter / Math.min(h, w);
    const nh = Math.max(a.size, Math.round(h * scale));
    const nw = Math.max(a.size, Math.round(w * scale));
    const resized = nh === h && nw === w ? image.toFloat() : tf.image.resizeBilinear(image.toFloat(), [nh, nw], false, true);
    const top = Math.floor((nh - a.size) / 2);
    const left = Math.floor((nw - a.size) / 2);
    const crop = resized.slice([top, left, 0], [a.size, a.size, 3]);
    return crop
      .div(255)
      .sub(tf.tensor1d([...a.mean]))
      .div(tf.tensor1d([...a.std]));
  });
}
