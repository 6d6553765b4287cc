/**
 * The operation table of the NASNet and PNAS cells, following TF-slim `nasnet_utils.py`
 * (`_apply_conv_operation`, `_stacked_separable_conv`, `_pooling`) and
 * shared/reference/architectures.json `conventions`:
 *
 * - `sep_KxK` (TF `separable_KxK_2`): [ReLU, depthwise KxK (stride), pointwise to F, BN] twice,
 *   the second with stride 1.
 * - `avg_pool_KxK`, `max_pool_KxK`: KxK SAME pooling (stride); then 1x1 conv + BN only if the
 *   input channels differ from F.
 * - `identity` (TF `none`): the input, unless stride > 1 or channels differ: ReLU, 1x1 conv
 *   (stride), BN.
 * - Operations of the 13-op NASNet space that TF-slim does not implement, written in the same
 *   ReLU-conv-BN style: `conv_1x1`, `conv_3x3` (ReLU, conv, BN); `conv_1x3_3x1`, `conv_1x7_7x1`
 *   (ReLU, 1xK conv with stride (1, s), Kx1 conv with stride (s, 1), BN); `dil_conv_3x3`
 *   (ReLU, depthwise 3x3 with dilation 2, pointwise to F, BN, as darts `DilConv`). tfjs cannot
 *   combine dilation with stride, so a strided `dil_conv_3x3` runs at stride 1 and is then
 *   subsampled by a 1x1 stride-2 pooling; the cost model counts what runs.
 *
 * Every operation except `identity` is followed by drop path when it is enabled (TF-slim applies
 * it to every op but `none`).
 */
import type { Net } from './net.js';

export interface OpContext {
  /** Output channels of every op in the cell (TF-slim `filter_size`). */
  filters: number;
  stride: number;
  /** Padding of strided pooling ops (`CellMacro.poolPadding`). Default: 'same'. */
  poolPadding?: 'same' | 'zeros';
}

type OpFn = <T>(net: Net<T>, x: T, ctx: OpContext) => T;

function sepStack(k: number): OpFn {
  return (net, x, { filters, stride }) => {
    const y = net.scope('sep_1', () => net.bn(net.separable(net.act(x, 'relu'), filters, k, stride)));
    return net.scope('sep_2', () => net.bn(net.separable(net.act(y, 'relu'), filters, k, 1)));
  };
}

function pool(type: 'avg' | 'max', size: number): OpFn {
  return (net, x, { filters, stride, poolPadding }) => {
    const y = net.pool(x, { type, size, stride, padding: stride > 1 ? (poolPadding ?? 'same') : 'same' });
    return net.shape(y).c === filters ? y : net.bn(net.conv(y, { filters, kernel: [1, 1] }));
  };
}

function reluConvBn(k: number): OpFn {
  return (net, x, { filters, stride }) => net.bn(net.conv(net.act(x, 'relu'), { filters, kernel: [k, k], stride }));
}

function factorizedConv(k: number): OpFn {
  return (net, x, { filters, stride }) => {
    const y = net.conv(net.act(x, 'relu'), { filters, kernel: [1, k], stride: [1, stride] });
    return net.bn(net.conv(y, { filters, kernel: [k, 1], stride: [stride, 1] }));
  };
}

const dilConv3x3: OpFn = (net, x, { filters, stride }) => {
  let y = net.depthwise(net.act(x, 'relu'), { kernel: 3, dilation: 2 });
  if (stride > 1) y = net.pool(y, { type: 'avg', size: 1, stride, padding: 'valid' });
  return net.bn(net.conv(y, { filters, kernel: [1, 1] }));
};

const identity: OpFn = (net, x, { filters, stride }) => {
  if (stride === 1 && net.shape(x).c === filters) return x;
  return net.bn(net.conv(net.act(x, 'relu'), { filters, kernel: [1, 1], stride }));
};

export const CELL_OPS: Readonly<Record<string, OpFn>> = {
  identity,
  sep_3x3: sepStack(3),
  sep_5x5: sepStack(5),
  sep_7x7: sepStack(7),
  avg_pool_3x3: pool('avg', 3),
  max_pool_3x3: pool('max', 3),
  max_pool_5x5: pool('max', 5),
  max_pool_7x7: pool('max', 7),
  conv_1x1: reluConvBn(1),
  conv_3x3: reluConvBn(3),
  conv_1x3_3x1: factorizedConv(3),
  conv_1x7_7x1: factorizedConv(7),
  dil_conv_3x3: dilConv3x3,
};

export function applyOp<T>(net: Net<T>, x: T, op: string, ctx: OpContext): T {
  const fn = CELL_OPS[op];
  if (!fn) throw new Error(`unknown cell operation ${JSON.stringify(op)}; expected one of ${Object.keys(CELL_OPS).join(', ')}`);
  return fn(net, x, ctx);
}

/**
 * TF-slim `factorized_reduction`: stride 1 is a 1x1 conv + BN; stride 2 concatenates two
 * half-width 1x1 convs over the even and the one-pixel-shifted odd positions, then BN.
 */
export function factorizedReduction<T>(net: Net<T>, x: T, filters: number, stride: number): T {
  if (stride === 1) return net.bn(net.conv(x, { filters, kernel: [1, 1] }));
  const half = Math.floor(filters / 2);
  const p1 = net.scope('path_1', () => net.conv(net.pool(x, { type: 'avg', size: 1, stride, padding: 'valid' }), { filters: half, kernel: [1, 1] }));
  const p2 = net.scope('path_2', () => {
    const shifted = net.pool(net.shift(x), { type: 'avg', size: 1, stride, padding: 'valid' });
    return net.conv(shifted, { filters: half + (filters % 2), kernel: [1, 1] });
  });
  return net.bn(net.concat([p1, p2]));
}
