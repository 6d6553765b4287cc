/**
 * Reads a Keras model's weights from HDF5 with h5wasm (the HDF5 C library compiled to wasm; its
 * Node build reads host files directly). Two layouts, both keyed `layers/<layer>/vars/<i>`:
 * - Keras 2 / legacy H5 (`model.save('x.h5')`, Keras 2 `save_weights('x.h5')`): groups per layer
 *   under the root or `model_weights`, listed by the `layer_names` attribute, each with a
 *   `weight_names` attribute giving the variables in order. Keeps Keras's layer names, so the
 *   NASNet name map applies.
 * - Keras 3 (`save_weights('x.weights.h5')`, the `model.weights.h5` of a `.keras` archive):
 *   `layers/<name>/vars/<i>`, but <name> is derived from the layer class in model order
 *   (`batch_normalization_12`, measured on Keras 3.15.1), not the layer's name, so its tensors
 *   match no binding and the import is refused naming the first missing one (docs/zoo-weights.md).
 * A `.keras` archive (a zip) is refused with the fix (save as legacy H5).
 */
import { open } from 'node:fs/promises';
import type { Dataset, Group } from 'h5wasm';
import { kerasTensor } from './keras-map.js';
import type { NamedTensor } from './safetensors.js';

export class KerasWeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KerasWeightsError';
  }
}

async function magic(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(8);
    await fh.read(b, 0, 8, 0);
    return b;
  } finally {
    await fh.close();
  }
}

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

function tensorOf(d: Dataset, where: string): NamedTensor {
  const v = d.value;
  if (!ArrayBuffer.isView(v) || v instanceof DataView) throw new KerasWeightsError(`${where}: dataset ${d.path} is not a numeric array`);
  const data = v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>, Number);
  return { shape: [...(d.shape ?? [])], data };
}

function isGroup(e: unknown): e is Group {
  return typeof e === 'object' && e !== null && typeof (e as Group).keys === 'function' && !('shape' in e);
}

/** An HDF5 string-list attribute as strings; an empty list can come back as an empty typed array. */
function strings(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const list: unknown[] = Array.isArray(v) ? v : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<unknown>) : [v];
  return list.map(String).filter((x) => x.length > 0);
}

/** Every weight of a Keras HDF5 weights file, keyed `layers/<layer>/vars/<i>`. */
export async function readKerasWeights(path: string): Promise<Map<string, NamedTensor>> {
  const head = await magic(path);
  if (head.subarray(0, 2).toString('latin1') === 'PK') {
    throw new KerasWeightsError(
      `${path} is a .keras archive, whose weights are keyed by layer class rather than name; save the model in the legacy H5 format and pass that: model.save('model.h5')`,
    );
  }
  if (!head.equals(HDF5_MAGIC))
    throw new KerasWeightsError(`${path} is not an HDF5 file (Keras .h5 / .weights.h5): its first bytes are not the HDF5 signature`);
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(path, 'r');
  try {
    const out = new Map<string, NamedTensor>();
    const layers = f.get('layers');
    if (isGroup(layers)) {
      for (const name of layers.keys()) {
        const vars = layers.get(`${name}/vars`);
        if (!isGroup(vars)) continue;
        for (const i of vars.keys()) out.set(kerasTensor(name, Number(i)), tensorOf(vars.get(i) as Dataset, path));
      }
      return out;
    }
    const root = isGroup(f.get('model_weights')) ? (f.get('model_weights') as Group) : f;
    const layerNames = root.attrs.layer_names?.value;
    if (layerNames === undefined) {
      throw new KerasWeightsError(`${path} holds no Keras weights: neither a layers/ group (Keras 3) nor a layer_names attribute (Keras 2 H5)`);
    }
    for (const name of strings(layerNames)) {
      const g = root.get(name);
      if (!isGroup(g)) continue;
      strings(g.attrs.weight_names?.value ?? []).forEach((w, i) => out.set(kerasTensor(name, i), tensorOf(g.get(w) as Dataset, path)));
    }
    return out;
  } finally {
    f.close();
  }
}
