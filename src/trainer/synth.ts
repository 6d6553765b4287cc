/**
 * A synthetic dataset in the CIFAR-10 binary format whose classes a small conv net learns in a
 * few epochs, so tests and demos watch accuracy rise well above chance through the real reader.
 *
 * Class c owns two colours and a stripe orientation/frequency; a sample blends the two colours
 * along its class's stripes with a random phase, then adds a random brightness shift and
 * per-pixel Gaussian noise. Colour survives area-downsampling to 8x8 or 4x4, the stripes need
 * convolutions, and the noise keeps the task from being trivial.
 */
import { Rng } from '../common/rng.js';
import type { ObjectStore } from '../store/object-store.js';
import { CHANNELS, IMAGE_BYTES, META_FILE, RECORDS_PER_FILE, SIDE, TEST_FILE, encodeRecords, type ImageSet } from './cifar-format.js';

export interface SynthArgs {
  /** Default: 10 */
  classes?: number;
  /** Training images. Default: 500 */
  train?: number;
  /** Test images (0 writes no test file). Default: 100 */
  test?: number;
  /** Default: 0 */
  seed?: number;
  /** Standard deviation of per-pixel noise, in 0-255 units. Default: 24 */
  noise?: number;
}

interface ClassStyle {
  a: number[];
  b: number[];
  angle: number;
  freq: number;
}

function classStyles(classes: number, rng: Rng): ClassStyle[] {
  return Array.from({ length: classes }, (_, c) => ({
    a: Array.from({ length: CHANNELS }, () => 40 + rng.int(176)),
    b: Array.from({ length: CHANNELS }, () => 40 + rng.int(176)),
    angle: (Math.PI * c) / classes + rng.next() * 0.2,
    freq: 1 + rng.int(3),
  }));
}

function drawImage(style: ClassStyle, rng: Rng, noise: number, out: Uint8Array, offset: number): void {
  const phase = rng.next() * 2 * Math.PI;
  const shift = (rng.next() - 0.5) * 40;
  const cos = Math.cos(style.angle);
  const sin = Math.sin(style.angle);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const t = 0.5 + 0.5 * Math.sin((2 * Math.PI * style.freq * (x * cos + y * sin)) / SIDE + phase);
      for (let ch = 0; ch < CHANNELS; ch++) {
        const v = style.a[ch]! * t + style.b[ch]! * (1 - t) + shift + rng.normal() * noise;
        out[offset + ch * SIDE * SIDE + y * SIDE + x] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
}

/** Generates both splits in memory (deterministic in `seed`). */
export function synthesize(args: SynthArgs = {}): { train: ImageSet; test: ImageSet; classes: number } {
  const classes = args.classes ?? 10;
  if (!Number.isInteger(classes) || classes < 2 || classes > 256) {
    throw new Error(`classes: expected an integer in [2, 256], received ${classes}`);
  }
  const rng = Rng.seeded(`synth/${args.seed ?? 0}`);
  const styles = classStyles(classes, rng.fork('styles'));
  const make = (count: number, label: string): ImageSet => {
    const r = rng.fork(label);
    const set: ImageSet = { images: new Uint8Array(count * IMAGE_BYTES), labels: new Uint8Array(count), count };
    for (let i = 0; i < count; i++) {
      const c = r.int(classes);
      set.labels[i] = c;
      drawImage(styles[c]!, r, args.noise ?? 24, set.images, i * IMAGE_BYTES);
    }
    return set;
  };
  return { train: make(args.train ?? 500, 'train'), test: make(args.test ?? 100, 'test'), classes };
}

/** Writes a synthetic dataset under `store` (a prefix view): data_batch_<n>.bin, test_batch.bin, batches.meta.txt. */
export async function writeSynthetic(store: ObjectStore, args: SynthArgs = {}): Promise<{ files: string[] }> {
  const { train, test, classes } = synthesize(args);
  const files: string[] = [];
  for (let start = 0, n = 1; start < train.count; start += RECORDS_PER_FILE, n++) {
    const name = `data_batch_${n}.bin`;
    await store.put(name, encodeRecords(train, start, Math.min(train.count, start + RECORDS_PER_FILE)));
    files.push(name);
  }
  if (test.count > 0) {
    await store.put(TEST_FILE, encodeRecords(test));
    files.push(TEST_FILE);
  }
  await store.put(META_FILE, Array.from({ length: classes }, (_, c) => `synthetic_${c}`).join('\n') + '\n');
  files.push(META_FILE);
  return { files };
}
