/**
 * Macro skeletons that stack cells into a network: TF-slim `nasnet.py` `_build_nasnet_base`
 * (NASNet: normal cells with a separate reduction cell inserted before the reduction indices)
 * and `pnasnet.py` `_build_pnasnet_base` (PNAS: one cell type, strided at the reduction indices).
 *
 * Stems: `cifar` = 3x3 conv (F x stemMultiplier) + BN; `imagenet` = 3x3/2 VALID conv
 * (32 x stemMultiplier) + BN, then two stride-2 stem cells with F/4 and F/2 filters (the NASNet
 * reduction cell, or the PNAS cell). Filters double at each reduction. Head: ReLU, global
 * average pool, dropout, dense. The auxiliary head (TF-slim `_build_aux_head`) follows the cell
 * just before the second reduction.
 */
import type { CellGenotype } from '../space/cell.js';
import { compileCell } from './cell-net.js';
import type { Net } from './net.js';
import { at } from '../common/indexing.js';

export interface CellMacro {
  /** 'cifar' (3x3 stem conv, no stem cells) or 'imagenet' (3x3/2 conv and two stem cells). */
  stem: 'cifar' | 'imagenet';
  /** Square input size in pixels. */
  inputSize: number;
  /** Input channels. Default: 3. */
  channels?: number;
  /** Cells per stack N; the network has `3N` normal cells (NASNet) or `3N` cells in all (PNAS). */
  N: number;
  /** Filters F of the first stack (TF-slim `num_conv_filters`). */
  F: number;
  /** Default: 3 for cifar, 1 for imagenet. */
  stemMultiplier?: number;
  /** Default: false. */
  skipReductionLayerInput?: boolean;
  /** Default: false. Adds the auxiliary classifier as a second output. */
  auxHead?: boolean;
  classes: number;
  /** Drop path keep probability at the end of training; 1 disables drop path. Default: 1. */
  dropPathKeepProb?: number;
  /** Keep probability of the dropout before the classifier. Default: 1. */
  denseDropoutKeepProb?: number;
  /** Default: 2. */
  numReductionLayers?: number;
  /** Explicit total cell count (overrides the 3N rule). Default: undefined. */
  numCells?: number;
  /**
   * Padding of strided pooling ops: 'same' (TF-slim: padding ignored by max, not counted by
   * average) or 'zeros' (Keras `NASNet`: zero-padded, then VALID), so weights imported from Keras
   * give Keras's logits. No weights involved. Default: 'same'.
   */
  poolPadding?: 'same' | 'zeros';
}

export type CellFamily = { kind: 'nasnet'; normal: CellGenotype; reduction: CellGenotype } | { kind: 'pnas'; cell: CellGenotype };

export interface CellNetworkOutputs<T> {
  logits: T;
  aux?: T;
}

/** TF-slim `calc_reduction_layers`. */
export function reductionIndices(numCells: number, numReductionLayers: number): number[] {
  const out: number[] = [];
  for (let p = 1; p <= numReductionLayers; p++) out.push(Math.floor((p / (numReductionLayers + 1)) * numCells));
  return out;
}

/** `trace`, when given, is called with a label and the output of the stem and of every cell. */
export function buildCellNetwork<T>(net: Net<T>, input: T, family: CellFamily, m: CellMacro, trace?: (label: string, x: T) => void): CellNetworkOutputs<T> {
  const numCells = m.numCells ?? 3 * m.N;
  const reductions = reductionIndices(numCells, m.numReductionLayers ?? 2);
  const normal = family.kind === 'nasnet' ? family.normal : family.cell;
  const reduction = family.kind === 'nasnet' ? family.reduction : family.cell;
  const imagenet = m.stem === 'imagenet';
  const totalCells = numCells + (family.kind === 'nasnet' ? reductions.length : 0) + (imagenet ? 2 : 0);
  const keep = m.dropPathKeepProb ?? 1;
  const dropPath = (cellIndex: number) => (keep < 1 ? { keepProb: keep, cellIndex, totalCells } : undefined);
  const cellFilters = (scale: number) => Math.floor(m.F * scale);
  const stemMult = m.stemMultiplier ?? (imagenet ? 1 : 3);

  let x: T;
  const outputs: (T | null)[] = [null];
  /** The output two cells back, the next cell's h_{i-1} (null before the stem). */
  const twoBack = (): T | null => at(outputs, outputs.length - 2, 'cell output');
  let cellIndex = 0;
  if (imagenet) {
    x = net.scope('stem', () => net.bn(net.conv(input, { filters: Math.floor(32 * stemMult), kernel: [3, 3], stride: 2, padding: 'valid' })));
    trace?.('conv0', x);
    outputs.push(x);
    for (const [i, scale] of [0.25, 0.5].entries()) {
      const args = { input: x, prev: twoBack(), filters: cellFilters(scale), stride: 2, dropPath: dropPath(cellIndex++), poolPadding: m.poolPadding };
      x = net.scope(`stem_cell_${i}`, () => compileCell(net, reduction, args));
      trace?.(`stem${outputs.length - 2}`, x);
      outputs.push(x);
    }
  } else {
    x = net.scope('stem', () => net.bn(net.conv(input, { filters: Math.floor(m.F * stemMult), kernel: [3, 3] })));
    trace?.('stem', x);
    outputs.push(x);
  }

  let scale = 1;
  let prev: T | null = null;
  let aux: T | undefined;
  const secondReduction = reductions[1];
  const auxAfter = secondReduction !== undefined ? secondReduction - 1 : -1;
  for (let c = 0; c < numCells; c++) {
    const isReduction = reductions.includes(c);
    if (family.kind === 'nasnet') {
      if (m.skipReductionLayerInput) prev = twoBack();
      if (isReduction) {
        scale *= 2;
        const args = { input: x, prev: twoBack(), filters: cellFilters(scale), stride: 2, dropPath: dropPath(cellIndex++), poolPadding: m.poolPadding };
        x = net.scope(`reduction_cell_${reductions.indexOf(c)}`, () => compileCell(net, reduction, args));
        trace?.(`reduction${reductions.indexOf(c)}`, x);
        outputs.push(x);
      }
      if (!m.skipReductionLayerInput) prev = twoBack();
      const args = { input: x, prev, filters: cellFilters(scale), stride: 1, dropPath: dropPath(cellIndex++), poolPadding: m.poolPadding };
      x = net.scope(`cell_${c}`, () => compileCell(net, normal, args));
    } else {
      if (isReduction) scale *= 2;
      // pnasnet.py keeps the previous h_i-1 for a reduction cell unless skip_reduction_layer_input.
      if (m.skipReductionLayerInput || !isReduction) prev = twoBack();
      const args = { input: x, prev, filters: cellFilters(scale), stride: isReduction ? 2 : 1, dropPath: dropPath(cellIndex++), poolPadding: m.poolPadding };
      x = net.scope(`cell_${c}`, () => compileCell(net, normal, args));
    }
    trace?.(family.kind === 'pnas' && isReduction ? `cell${c}(s2)` : `cell${c}`, x);
    outputs.push(x);
    const cellOut = x;
    if (m.auxHead && c === auxAfter) aux = net.scope('aux_head', () => auxHead(net, net.act(cellOut, 'relu'), m.classes));
  }

  const last = x;
  const logits = net.scope('head', () => {
    let y = net.globalPool(net.act(last, 'relu'));
    const denseKeep = m.denseDropoutKeepProb ?? 1;
    if (denseKeep < 1) y = net.dropout(y, 1 - denseKeep);
    return net.dense(y, m.classes);
  });
  return { logits, aux };
}

/** TF-slim `_build_aux_head`: 5x5/3 VALID avg pool, 1x1 conv 128, BN, ReLU, full-size conv 768, BN, ReLU, dense. */
function auxHead<T>(net: Net<T>, x: T, classes: number): T {
  let y = net.pool(x, { type: 'avg', size: 5, stride: 3, padding: 'valid' });
  y = net.act(net.bn(net.conv(y, { filters: 128, kernel: [1, 1] })), 'relu');
  const s = net.shape(y);
  y = net.act(net.bn(net.conv(y, { filters: 768, kernel: [s.h, s.w], padding: 'valid' })), 'relu');
  return net.dense(net.flatten(y), classes);
}
