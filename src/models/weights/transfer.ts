/**
 * Moves weights between a tfjs model and a peer framework's named tensors along a family's
 * bindings (nasflow layer -> peer tensor names), converting layouts (layout.ts). Import checks
 * everything before it writes anything: every bound tensor present, every shape right, and no peer
 * tensor left over (a left-over means the file is of a bigger model), so a partial import cannot
 * happen.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { frameworkShape, fromTfjs, toTfjs, type Framework } from './layout.js';
import type { NamedTensor, TensorToWrite } from './safetensors.js';
import type { LayerBinding, LayerInfo } from './timm-map.js';

/** The weights file does not fit the model; the message names the tensor, both shapes and the fix. */
export class WeightsMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsMismatchError';
  }
}

export function isWeightsMismatchError(err: unknown): err is WeightsMismatchError {
  return err instanceof WeightsMismatchError;
}

export function layerInfos(model: tfjs.LayersModel): LayerInfo[] {
  return model.layers.map((l) => ({ name: l.name, className: l.getClassName(), weightCount: l.weights.length }));
}

export interface ImportArgs {
  model: tfjs.LayersModel;
  bindings: readonly LayerBinding[];
  tensors: ReadonlyMap<string, NamedTensor>;
  framework: Framework;
  /** The file, for messages. */
  where: string;
  /** What to check when shapes differ (the CLI names its flags: model, --width, --classes). */
  fix: string;
  /** Peer tensors that hold no weights nasflow keeps (PyTorch BN's num_batches_tracked). */
  ignore?: (name: string) => boolean;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

export function importWeights(tf: { tensor: typeof tfjs.tensor; dispose: typeof tfjs.dispose }, a: ImportArgs): void {
  const byLayer = new Map(a.model.layers.map((l) => [l.name, l]));
  const used = new Set<string>();
  const staged: { layer: tfjs.layers.Layer; values: { data: Float32Array; shape: number[] }[] }[] = [];
  for (const b of a.bindings) {
    const layer = byLayer.get(b.layer);
    if (!layer) throw new Error(`bindings name layer ${b.layer}, which the model does not have`);
    const values = layer.weights.map((w, i) => {
      const name = b.tensors[i];
      const expected = frameworkShape(b.kind, a.framework, w.shape as number[]);
      const t = name === undefined ? undefined : a.tensors.get(name);
      if (name === undefined || !t) {
        throw new WeightsMismatchError(
          `${a.where} has no tensor ${JSON.stringify(name ?? `${b.layer}#${i}`)} (expected shape ${fmt(expected)}) for nasflow weight ${w.name}; ${a.fix}`,
        );
      }
      used.add(name);
      if (t.shape.length !== expected.length || t.shape.some((d, j) => d !== expected[j])) {
        throw new WeightsMismatchError(
          `${a.where}: tensor ${name} has shape ${fmt(t.shape)}, expected ${fmt(expected)} for nasflow weight ${w.name}; ${a.fix}`,
        );
      }
      return toTfjs(b.kind, a.framework, t.data, t.shape);
    });
    staged.push({ layer, values });
  }
  const extra = [...a.tensors.keys()].filter((n) => !used.has(n) && !(a.ignore?.(n) ?? false));
  if (extra.length > 0) {
    throw new WeightsMismatchError(
      `${a.where} has ${extra.length} tensor(s) no nasflow layer takes (${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}): the file is of another model; ${a.fix}`,
    );
  }
  for (const { layer, values } of staged) {
    const ts = values.map((v) => tf.tensor(v.data, v.shape, 'float32'));
    layer.setWeights(ts);
    tf.dispose(ts);
  }
}

/** The model's weights under the peer's names and layout, in binding order. */
export function exportWeights(model: tfjs.LayersModel, bindings: readonly LayerBinding[], framework: Framework): Map<string, TensorToWrite> {
  const byLayer = new Map(model.layers.map((l) => [l.name, l]));
  const out = new Map<string, TensorToWrite>();
  for (const b of bindings) {
    const layer = byLayer.get(b.layer);
    if (!layer) throw new Error(`bindings name layer ${b.layer}, which the model does not have`);
    layer.getWeights().forEach((w, i) => {
      const name = b.tensors[i];
      if (name === undefined) throw new Error(`layer ${b.layer} has more weights than its binding names`);
      const v = fromTfjs(b.kind, framework, w.dataSync() as Float32Array, w.shape);
      out.set(name, { shape: v.shape, data: v.data });
    });
  }
  return out;
}
