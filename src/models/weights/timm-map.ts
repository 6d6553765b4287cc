/**
 * nasflow's MBConv-chain layer names -> timm's EfficientNet-class state-dict names (timm
 * `efficientnet.py` `EfficientNet`, `_efficientnet_blocks.py` `DepthwiseSeparableConv`,
 * `InvertedResidual`, `ConvBnAct`, `SqueezeExcite`), which `mnasnet_*`, `semnasnet_*` and
 * `efficientnet_*` share:
 *
 * | nasflow                         | timm                                   |
 * |---------------------------------|----------------------------------------|
 * | stem/conv, stem/bn              | conv_stem, bn1                         |
 * | stage_i/layer_j/expand/{conv,bn}| blocks.i.j.conv_pw, .bn1               |
 * | stage_i/layer_j/dw/{depthwise,bn}| blocks.i.j.conv_dw, .bn2 (.bn1 in a ds block) |
 * | stage_i/layer_j/se/conv, conv_1 | blocks.i.j.se.conv_reduce, .conv_expand|
 * | stage_i/layer_j/project/{conv,bn}| blocks.i.j.conv_pwl, .bn3 (conv_pw, bn2 in a ds block) |
 * | stage_i/layer_j/conv/{conv,bn}  | blocks.i.j.conv, .bn1 (a cn block)     |
 * | head/conv, head/bn, head/dense  | conv_head, bn2, classifier             |
 *
 * A layer without an expand conv is timm's DepthwiseSeparableConv (`ds`); nasflow builds `ir` with
 * expansion 1 the same way, while timm keeps a 1x1 conv there, so such a stage has no counterpart.
 * Pooling skips (PONAS) have none either.
 */
import type { LayerKind } from './layout.js';

/** One nasflow layer with weights and the peer tensors that hold them, in tfjs weight order. */
export interface LayerBinding {
  layer: string;
  kind: LayerKind;
  tensors: string[];
}

const BN = ['weight', 'bias', 'running_mean', 'running_var'];

/** A nasflow layer's name and class, as a built or loaded tfjs model lists them. */
export interface LayerInfo {
  name: string;
  className: string;
  weightCount: number;
}

export function kindOf(className: string): LayerKind | undefined {
  switch (className) {
    case 'Conv2D':
      return 'conv';
    case 'DepthwiseConv2D':
      return 'depthwise';
    case 'Dense':
      return 'dense';
    case 'BatchNormalization':
      return 'bn';
    default:
      return undefined;
  }
}

/** The binding of every weighted layer of a chain model, or an error naming the first layer timm has no name for. */
export function timmChainBindings(layers: readonly LayerInfo[]): LayerBinding[] {
  const names = new Set(layers.map((l) => l.name));
  const out: LayerBinding[] = [];
  for (const l of layers) {
    if (l.weightCount === 0) continue;
    const kind = kindOf(l.className);
    const prefix = kind && timmPrefix(l.name, names);
    if (!kind || !prefix) {
      throw new Error(
        `layer ${l.name} (${l.className}) has no timm counterpart; timm import/export covers MBConv chains (stem, ds/ir/cn layers, SE, head), not pooling skips or cell models`,
      );
    }
    const tensors =
      kind === 'bn' ? BN : kind === 'conv' ? (l.weightCount === 2 ? ['weight', 'bias'] : ['weight']) : kind === 'dense' ? ['weight', 'bias'] : ['weight'];
    out.push({ layer: l.name, kind, tensors: tensors.map((t) => `${prefix}.${t}`) });
  }
  return out;
}

const FIXED: Readonly<Record<string, string>> = {
  'stem/conv': 'conv_stem',
  'stem/bn': 'bn1',
  'head/conv': 'conv_head',
  'head/bn': 'bn2',
  'head/dense': 'classifier',
};

function timmPrefix(name: string, names: ReadonlySet<string>): string | undefined {
  const fixed = FIXED[name];
  if (fixed) return fixed;
  const m = /^stage_(\d+)\/layer_(\d+)\/([a-z]+)\/([a-z_0-9]+)$/.exec(name);
  if (!m) return undefined;
  const [, stage, layer, part, leaf] = m;
  const block = `blocks.${stage}.${layer}`;
  const ir = names.has(`stage_${stage}/layer_${layer}/expand/conv`);
  const table: Readonly<Record<string, string>> = ir
    ? { 'expand/conv': 'conv_pw', 'expand/bn': 'bn1', 'dw/depthwise': 'conv_dw', 'dw/bn': 'bn2', 'project/conv': 'conv_pwl', 'project/bn': 'bn3' }
    : { 'dw/depthwise': 'conv_dw', 'dw/bn': 'bn1', 'project/conv': 'conv_pw', 'project/bn': 'bn2', 'conv/conv': 'conv', 'conv/bn': 'bn1' };
  const se: Readonly<Record<string, string>> = { 'se/conv': 'se.conv_reduce', 'se/conv_1': 'se.conv_expand' };
  const key = `${part}/${leaf}`;
  const peer = se[key] ?? table[key];
  return peer && `${block}.${peer}`;
}
