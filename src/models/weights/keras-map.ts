/**
 * nasflow's NASNet layer names -> Keras `keras.applications.nasnet.NASNet` layer names (Keras 3,
 * `keras/src/applications/nasnet.py`: `NASNetMobile` = N 4, F 44; `NASNetLarge` = N 6, F 168,
 * stem 96, skip_reduction):
 *
 * | nasflow                                   | Keras                                         |
 * |-------------------------------------------|-----------------------------------------------|
 * | stem/conv, stem/bn                        | stem_conv1, stem_bn1                          |
 * | stem_cell_0, stem_cell_1                  | cells `stem_1`, `stem_2`                      |
 * | cell_c                                    | normal cell `c` (c < N), else `c + 1`         |
 * | reduction_cell_0, _1                      | `reduce_N`, `reduce_2N`                       |
 * | <cell>/input/{conv,bn}                    | {normal,reduction}_conv_1_B, _bn_1_B          |
 * | <cell>/prev/path_1/conv, path_2/conv, bn  | adjust_conv_1_B, adjust_conv_2_B, adjust_bn_B |
 * | <cell>/prev/{conv,bn}                     | adjust_conv_projection_B, adjust_bn_B         |
 * | <cell>/block_b/{left,right}/<op>/sep_k/{separable,bn} | separable_conv_k_{,bn_}{T}_{left,right}{b+1}_B |
 * | head/dense                                | predictions                                   |
 *
 * (T = normal or reduction, B = the Keras cell id.) One irregularity of Keras's naming: the
 * separable conv of reduction block 5 is `reduction_left4_B`. Tensors are keyed by their path in
 * a Keras 3 weights file, `layers/<layer>/vars/<i>` (i in the layer's variable order, which is
 * tfjs's: kernel; depthwise, pointwise; gamma, beta, moving mean, moving variance; kernel, bias).
 */
import type { LayerBinding, LayerInfo } from './timm-map.js';
import { kindOf } from './timm-map.js';

export function kerasTensor(layer: string, i: number): string {
  return `layers/${layer}/vars/${i}`;
}

/** The Keras cell id of a nasflow cell scope, for N cells per stack. */
function cellId(scope: string, n: number): { id: string; type: 'normal' | 'reduction' } | undefined {
  let m = /^stem_cell_(\d+)$/.exec(scope);
  if (m) return { id: `stem_${Number(m[1]) + 1}`, type: 'reduction' };
  m = /^reduction_cell_(\d+)$/.exec(scope);
  if (m) return { id: `reduce_${(Number(m[1]) + 1) * n}`, type: 'reduction' };
  m = /^cell_(\d+)$/.exec(scope);
  if (m) {
    // Keras numbers the normal cells 0..N-1, then N+1..2N and 2N+1..3N (ids N and 2N are the reductions').
    const c = Number(m[1]);
    return { id: String(c < n ? c : c + 1), type: 'normal' };
  }
  return undefined;
}

function kerasLayer(name: string, n: number): string | undefined {
  const fixed: Readonly<Record<string, string>> = { 'stem/conv': 'stem_conv1', 'stem/bn': 'stem_bn1', 'head/dense': 'predictions' };
  if (fixed[name]) return fixed[name];
  const [scope, ...rest] = name.split('/');
  const cell = scope === undefined ? undefined : cellId(scope, n);
  if (!cell) return undefined;
  const { id, type } = cell;
  const path = rest.join('/');
  const inCell: Readonly<Record<string, string>> = {
    'input/conv': `${type}_conv_1_${id}`,
    'input/bn': `${type}_bn_1_${id}`,
    'prev/path_1/conv': `adjust_conv_1_${id}`,
    'prev/path_2/conv': `adjust_conv_2_${id}`,
    'prev/conv': `adjust_conv_projection_${id}`,
    'prev/bn': `adjust_bn_${id}`,
  };
  if (inCell[path]) return inCell[path];
  const m = /^block_(\d+)\/(left|right)\/sep_\d+x\d+\/sep_(1|2)\/(separable|bn)$/.exec(path);
  if (!m) return undefined;
  const [, b, side, k, leaf] = m;
  // Keras names the separable conv of reduction block 5 `reduction_left4` (nasnet.py `_reduction_a_cell`).
  const block = type === 'reduction' && b === '4' && side === 'left' ? 4 : Number(b) + 1;
  return `separable_conv_${k}${leaf === 'bn' ? '_bn' : ''}_${type}_${side}${block}_${id}`;
}

/** Bindings of every weighted layer of a NASNet model built with `n` cells per stack. */
export function kerasNasnetBindings(layers: readonly LayerInfo[], n: number): LayerBinding[] {
  const out: LayerBinding[] = [];
  for (const l of layers) {
    if (l.weightCount === 0) continue;
    const kind = l.className === 'SeparableConv2D' ? 'separable' : kindOf(l.className);
    const peer = kind && kerasLayer(l.name, n);
    if (!kind || !peer) {
      throw new Error(`layer ${l.name} (${l.className}) has no Keras NASNet counterpart; Keras import/export covers the NASNet-A models (nasnet-a-*)`);
    }
    out.push({ layer: l.name, kind, tensors: Array.from({ length: l.weightCount }, (_, i) => kerasTensor(peer, i)) });
  }
  return out;
}
