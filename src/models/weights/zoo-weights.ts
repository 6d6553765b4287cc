/**
 * `nasflow zoo import` / `zoo export`: a zoo model's weights from or to a peer framework's file.
 *
 * - timm (safetensors, PyTorch layout): the zoo's MBConv chains (`mnasnet-b1` = timm `mnasnet_100`,
 *   `mnasnet-a1` = `semnasnet_100`; `--width` = timm's channel multiplier, e.g. 0.5 = `mnasnet_050`)
 *   are built with PyTorch's symmetric padding and BN epsilon 1e-5 (timm's defaults); names by
 *   timm-map.ts, layouts by layout.ts.
 * - Keras (HDF5, channels-last like tfjs): the NASNet-A models (`nasnet-a-mobile` = Keras
 *   `NASNetMobile`, `nasnet-a-large` = `NASNetLarge`; `--cells`/`--filters` = Keras `num_blocks`
 *   and `penultimate_filters / 24`) are built with Keras's zero-padded strided pooling; names by
 *   keras-map.ts.
 * Either way the imported network gives the peer's logits (test/integration/weights).
 */
import { readFile } from 'node:fs/promises';
import type * as tfjs from '@tensorflow/tfjs';
import { buildDef, type BuildOptions, type NetworkDef } from '../build.js';
import { getModel } from '../zoo.js';
import { scaleChainWidth } from '../width.js';
import type { Tf } from '../tfjs-net.js';
import { readKerasWeights } from './keras-h5.js';
import { kerasNasnetBindings } from './keras-map.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from './safetensors.js';
import { timmChainBindings } from './timm-map.js';
import { exportWeights, importWeights, layerInfos } from './transfer.js';

export const PEERS = ['timm', 'keras'] as const;
export type Peer = (typeof PEERS)[number];

export interface PeerModelArgs {
  /** Zoo model name. */
  model: string;
  from: Peer;
  /** Channel multiplier of a chain model (timm `channel_multiplier`). Default: 1. */
  width?: number;
  /** Classifier outputs. Default: the zoo model's. */
  classes?: number;
  /** Square input size. Default: the zoo model's. */
  inputSize?: number;
  /** Keras NASNet `num_blocks` (nasflow N). Default: the zoo model's. */
  cells?: number;
  /** Keras NASNet `penultimate_filters / 24` (nasflow F). Default: the zoo model's. */
  filters?: number;
}

/** The network a peer's weights of `model` fit, and how to build it (padding, BN epsilon). */
export function peerNetwork(a: PeerModelArgs): { def: NetworkDef; options: BuildOptions } {
  const entry = getModel(a.model);
  const base = entry.def();
  const name = `${a.model}-${a.from}`;
  if (a.from === 'keras') {
    if (base.kind !== 'cells' || base.family.kind !== 'nasnet') {
      throw new Error(
        `--from keras: ${a.model} is not a NASNet-A model; Keras weights map onto nasnet-a-mobile and nasnet-a-large (keras.applications NASNetMobile, NASNetLarge)`,
      );
    }
    if (a.width !== undefined)
      throw new Error('--width applies to timm chain models; a Keras NASNet is sized by --cells (num_blocks) and --filters (penultimate_filters / 24)');
    const macro = {
      ...base.macro,
      N: a.cells ?? base.macro.N,
      F: a.filters ?? base.macro.F,
      classes: a.classes ?? base.macro.classes,
      inputSize: a.inputSize ?? base.macro.inputSize,
      poolPadding: 'zeros' as const,
    };
    // Keras NASNet BN: momentum 0.9997, epsilon 1e-3, as nasflow's ImageNet cells.
    return { def: { ...base, macro }, options: { bn: { epsilon: 1e-3, momentum: 0.9997 }, name } };
  }
  if (base.kind !== 'chain') {
    throw new Error(`--from ${a.from}: ${a.model} is a cell model; timm weights map onto the MBConv-chain models (mnasnet-*), see docs/zoo-weights.md`);
  }
  if (a.cells !== undefined || a.filters !== undefined) throw new Error('--cells and --filters apply to Keras NASNet models; a timm chain is sized by --width');
  const scaled = scaleChainWidth(base, a.width ?? 1);
  if (scaled.kind !== 'chain') throw new Error('unreachable: a scaled chain is a chain');
  const macro = {
    ...scaled.macro,
    classes: a.classes ?? scaled.macro.classes,
    inputSize: a.inputSize ?? scaled.macro.inputSize,
    padding: 'symmetric' as const,
  };
  // PyTorch BN: eps 1e-5; momentum 0.1 of the new value is tfjs momentum 0.9.
  return { def: { ...scaled, macro }, options: { bn: { epsilon: 1e-5, momentum: 0.9 }, name } };
}

function fixHint(a: PeerModelArgs): string {
  const classes = `with ${a.classes ?? getModel(a.model).classes} classes (pass --classes)`;
  if (a.from === 'keras') {
    const m = getModel(a.model).def();
    const n = m.kind === 'cells' ? m.macro.N : 0;
    const f = m.kind === 'cells' ? m.macro.F : 0;
    return `check that the file holds Keras NASNet weights with num_blocks ${a.cells ?? n} (pass --cells) and penultimate_filters ${24 * (a.filters ?? f)} (pass --filters = penultimate_filters / 24) ${classes}`;
  }
  return `check that the file holds ${a.model} weights at width ${a.width ?? 1} (timm: mnasnet_100 is width 1, mnasnet_050 width 0.5; pass --width) ${classes}`;
}

/** Builds the zoo model for the peer's weights and loads the file (a path) into it. */
export async function importPeerWeights(tf: Tf, a: PeerModelArgs & { file: string }): Promise<tfjs.LayersModel> {
  const { def, options } = peerNetwork(a);
  const tensors = a.from === 'keras' ? await readKerasWeights(a.file) : readSafetensors(await readFile(a.file), a.file);
  const model = buildDef(tf, def, options);
  try {
    const infos = layerInfos(model);
    importWeights(tf, {
      model,
      bindings: a.from === 'keras' ? kerasNasnetBindings(infos, def.kind === 'cells' ? def.macro.N : 0) : timmChainBindings(infos),
      tensors,
      framework: a.from === 'keras' ? 'keras' : 'torch',
      where: a.file,
      fix: fixHint(a),
      ignore: (n) => n.endsWith('.num_batches_tracked'),
    });
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

export interface ExportResult {
  bytes: Uint8Array;
  tensors: number;
  /** Set when the network pads like TensorFlow, which timm reproduces only with pad_type='same'. */
  note?: string;
}

/** A saved nasflow chain network's weights as a timm state dict (safetensors). */
export function exportPeerWeights(model: tfjs.LayersModel, to: Peer): ExportResult {
  if (to === 'keras') throw new Error('--to keras is not supported yet: zoo export writes timm safetensors (--to timm); Keras weights import only');
  if (to !== 'timm') throw new Error(`--to: expected timm, received ${JSON.stringify(to)}`);
  const bindings = timmChainBindings(layerInfos(model));
  const named = exportWeights(model, bindings, 'torch');
  const out = new Map<string, TensorToWrite>();
  for (const b of bindings) {
    for (const t of b.tensors) out.set(t, named.get(t)!);
    // timm's load_state_dict(strict=True) expects BN's step counter.
    if (b.kind === 'bn') out.set(b.tensors[0]!.replace(/\.weight$/, '.num_batches_tracked'), { shape: [], data: new BigInt64Array(1) });
  }
  const symmetric = model.layers.some((l) => /(^|\/)pad(_\d+)?$/.test(l.name));
  const bnEps = model.layers.find((l) => l.getClassName() === 'BatchNormalization')?.getConfig().epsilon;
  const notes: string[] = [];
  if (!symmetric)
    notes.push("the network pads like TensorFlow (SAME): build the timm model with pad_type='same' (the tf_* variants) or its logits differ at borders");
  if (bnEps !== undefined && bnEps !== 1e-5) notes.push(`its BN epsilon is ${String(bnEps)}: build the timm model with bn_eps=${String(bnEps)}`);
  return { bytes: writeSafetensors(out), tensors: out.size, note: notes.length > 0 ? notes.join('; ') : undefined };
}
