/**
 * The generic cell compiler (darts `model.py` Cell, with TF-slim `NasNetABaseCell` semantics): any
 * NASNet or PNAS genotype becomes a network fragment through the one op table in `ops.ts`.
 *
 * 1. Preamble (`_cell_base`, `_reduce_prev_layer`): h_i -> ReLU -> 1x1 conv F -> BN. h_i-1 is
 *    h_i's raw input when there is none (first cell); if its spatial size differs -> ReLU ->
 *    factorized reduction; elif its channels differ from F -> ReLU -> 1x1 conv -> BN.
 * 2. Blocks: each branch applies its op with the cell's stride when it reads h_i or h_i-1 and
 *    stride 1 when it reads a block output; `add` sums, `concat` joins along channels.
 * 3. Output (`_combine_unused_states`): the cell's concat states are concatenated (by default the
 *    states no block reads, see `space/cell.ts`); a state whose
 *    spatial size differs from the blocks' gets a stride-2 factorized reduction, and a cell input
 *    whose channels differ from F gets a 1x1 conv + BN.
 */
import type { CellGenotype } from '../space/cell.js';
import { concatStates } from '../space/cell.js';
import type { DropPathArgs, Net } from './net.js';
import { applyOp, factorizedReduction } from './ops.js';
import { at } from '../common/indexing.js';

export interface CellArgs<T> {
  /** Output of the previous cell (h_i). */
  input: T;
  /** Output of the cell before that (h_i-1), or null for the first cell. */
  prev: T | null;
  filters: number;
  stride: number;
  /** Drop path settings without the keep probability, or undefined when drop path is off. */
  dropPath?: DropPathArgs;
  /** `CellMacro.poolPadding`. Default: 'same'. */
  poolPadding?: 'same' | 'zeros';
}

export function compileCell<T>(net: Net<T>, cell: CellGenotype, a: CellArgs<T>): T {
  const { filters, stride } = a;
  const prev = net.scope('prev', () => reducePrev(net, a.prev ?? a.input, a.prev === null, a.input, filters));
  const states: T[] = [net.scope('input', () => net.bn(net.conv(net.act(a.input, 'relu'), { filters, kernel: [1, 1] }))), prev];
  const branch = (side: string, from: number, op: string): T =>
    net.scope(side, () => {
      const y = net.scope(op, () => applyOp(net, at(states, from, 'cell state'), op, { filters, stride: from < 2 ? stride : 1, poolPadding: a.poolPadding }));
      return a.dropPath && op !== 'identity' ? net.dropPath(y, a.dropPath) : y;
    });
  cell.blocks.forEach(({ inputs, ops, combine }, b) => {
    const combined = net.scope(`block_${b}`, () => {
      const left = branch('left', inputs[0], ops[0]);
      const right = branch('right', inputs[1], ops[1]);
      return combine === 'add' ? net.add(left, right) : net.concat([left, right]);
    });
    states.push(combined);
  });
  const outH = net.shape(at(states, states.length - 1, 'cell state')).h;
  return net.scope('output', () => {
    const parts = concatStates(cell).map((idx) => {
      const state = at(states, idx, 'cell state');
      const s = net.shape(state);
      if (s.h !== outH) return net.scope(`reduce_${idx}`, () => factorizedReduction(net, state, filters, 2));
      if (idx < 2 && s.c !== filters) return net.scope(`reduce_${idx}`, () => factorizedReduction(net, state, filters, 1));
      return state;
    });
    return parts.length === 1 ? parts[0]! : net.concat(parts);
  });
}

function reducePrev<T>(net: Net<T>, prev: T, isRaw: boolean, input: T, filters: number): T {
  if (isRaw) return prev;
  const p = net.shape(prev);
  if (p.w !== net.shape(input).w) return factorizedReduction(net, net.act(prev, 'relu'), filters, 2);
  if (p.c !== filters) return net.bn(net.conv(net.act(prev, 'relu'), { filters, kernel: [1, 1] }));
  return prev;
}
