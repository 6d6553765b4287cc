/**
 * The committed peer-framework fixtures of scripts/weights-fixtures/generate.py: the peer's weights
 * file, and `<name>.io.safetensors` holding the seeded input, the peer's logits and, in the header's
 * metadata, the sizes the fixture was made at. Shared by the zoo import tests of each family.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfc from '@tensorflow/tfjs';
import { readSafetensors, type NamedTensor } from '../../src/models/weights/safetensors.js';
import type { Tf } from '../../src/models/tfjs-net.js';

export const WEIGHTS_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/weights/', import.meta.url));

export interface WeightsFixture<K extends string> {
  /** The peer's weights file: `<name>.<weightsExt>`. */
  weights: string;
  input: NamedTensor;
  logits: NamedTensor;
  /** The sizes the fixture was made at (header metadata), and the peer's name. */
  meta: Record<K, number> & { peer: string };
}

export async function readWeightsFixture<K extends string>(dir: string, name: string, weightsExt: string, keys: readonly K[]): Promise<WeightsFixture<K>> {
  const ioPath = join(dir, `${name}.io.safetensors`);
  const bytes = await readFile(ioPath);
  const io = readSafetensors(bytes, ioPath);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as { __metadata__: Record<string, string> };
  const m = header.__metadata__;
  const meta = Object.fromEntries(keys.map((k) => [k, JSON.parse(m[k] ?? 'null') as number])) as Record<K, number>;
  const tensor = (key: string): NamedTensor => {
    const t = io.get(key);
    assert.ok(t, `${ioPath} has no tensor "${key}"`);
    return t;
  };
  return { weights: join(dir, `${name}.${weightsExt}`), input: tensor('input'), logits: tensor('logits'), meta: { ...meta, peer: m.peer ?? '?' } };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'same number of logits');
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** The model's logits on a fixture input. */
export function logitsOf(tf: Tf, model: tfc.LayersModel, input: NamedTensor): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(input.data, input.shape, 'float32')) as tfc.Tensor).dataSync() as Float32Array);
}
