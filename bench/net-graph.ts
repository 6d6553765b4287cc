/**
 * Records a nasflow network description as a flat graph (JSON) that another framework can rebuild
 * op for op: bench/torch_net.py builds the PyTorch twin of a nasflow network from it, so the
 * side-by-side benchmark compares one architecture, not two hand-written ones. Shapes come from the
 * analytic cost model (src/models/cost-net.ts); paddings are resolved to explicit
 * [top, bottom, left, right] pixels here, TensorFlow's SAME rules included.
 */
import { buildCellNetwork } from '../src/models/cell-macro.js';
import type { NetworkDef } from '../src/models/build.js';
import { CostNet } from '../src/models/cost-net.js';
import { samePads, strides, symmetricPad, type ConvArgs, type DepthwiseArgs, type Net, type PoolArgs, type Shape } from '../src/models/net.js';
import { at } from '../src/common/indexing.js';

export interface GraphNode {
  op: string;
  inputs: number[];
  /** Output [h, w, c]. */
  shape: [number, number, number];
  [arg: string]: unknown;
}

type Pads = [number, number, number, number];

function pads(t: Shape, kernel: readonly [number, number], stride: readonly [number, number], padding: string, dilation = 1): Pads {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'symmetric') {
    const ph = symmetricPad(kernel[0], stride[0], dilation);
    const pw = symmetricPad(kernel[1], stride[1], dilation);
    return [ph, ph, pw, pw];
  }
  return [...samePads(t.h, kernel[0], stride[0], dilation), ...samePads(t.w, kernel[1], stride[1], dilation)];
}

class GraphNet implements Net<number> {
  readonly nodes: GraphNode[] = [];
  private readonly cost = new CostNet();

  input(h: number, w: number, c: number): number {
    return this.push('input', [], { h, w, c }, {});
  }

  private push(op: string, inputs: number[], shape: Shape, args: Record<string, unknown>): number {
    this.nodes.push({ op, inputs, shape: [shape.h, shape.w, shape.c], ...args });
    return this.nodes.length - 1;
  }

  shape(t: number): Shape {
    const [h, w, c] = at(this.nodes, t, 'graph node').shape;
    return { h, w, c };
  }

  scope<R>(_name: string, fn: () => R): R {
    return fn();
  }

  conv(t: number, a: ConvArgs): number {
    const s = strides(a.stride);
    const p = pads(this.shape(t), a.kernel, s, a.padding ?? 'same', a.dilation);
    const args = { filters: a.filters, kernel: a.kernel, stride: s, dilation: a.dilation ?? 1, pads: p, bias: a.bias ?? false };
    return this.push('conv', [t], this.cost.conv(this.shape(t), a), args);
  }

  depthwise(t: number, a: DepthwiseArgs): number {
    const s = a.stride ?? 1;
    const p = pads(this.shape(t), [a.kernel, a.kernel], [s, s], a.padding ?? 'same', a.dilation);
    return this.push('depthwise', [t], this.cost.depthwise(this.shape(t), a), { kernel: a.kernel, stride: s, dilation: a.dilation ?? 1, pads: p });
  }

  separable(t: number, filters: number, kernel: number, stride: number): number {
    return this.conv(this.depthwise(t, { kernel, stride }), { filters, kernel: [1, 1] });
  }

  bn(t: number): number {
    return this.push('bn', [t], this.shape(t), {});
  }

  act(t: number, kind: string): number {
    return this.push('act', [t], this.shape(t), { kind });
  }

  pool(t: number, a: PoolArgs): number {
    const p = pads(this.shape(t), [a.size, a.size], [a.stride, a.stride], a.padding === 'zeros' ? 'same' : (a.padding ?? 'same'));
    // 'same' pooling ignores the padding (max) or leaves it out of the mean (avg); 'zeros' counts it.
    return this.push('pool', [t], this.cost.pool(this.shape(t), a), { type: a.type, size: a.size, stride: a.stride, pads: p, countPad: a.padding === 'zeros' });
  }

  shift(t: number): number {
    return this.push('shift', [t], this.shape(t), {});
  }

  add(a: number, b: number): number {
    return this.push('add', [a, b], this.cost.add(this.shape(a), this.shape(b)), {});
  }

  mul(a: number, b: number): number {
    return this.push('mul', [a, b], this.shape(a), {});
  }

  concat(ts: readonly number[]): number {
    return this.push('concat', [...ts], this.cost.concat(ts.map((t) => this.shape(t))), {});
  }

  globalPool(t: number): number {
    return this.push('globalPool', [t], this.cost.globalPool(this.shape(t)), {});
  }

  toMap(t: number): number {
    return this.push('identity', [t], this.shape(t), {});
  }

  flatten(t: number): number {
    return this.push('flatten', [t], this.cost.flatten(this.shape(t)), {});
  }

  dense(t: number, units: number): number {
    return this.push('dense', [t], this.cost.dense(this.shape(t), units), { units });
  }

  dropout(t: number, rate: number): number {
    return this.push('dropout', [t], this.shape(t), { rate });
  }

  dropPath(t: number): number {
    // The benchmarked recipes keep drop path off (keep probability 1), so it never reaches here.
    throw new Error(`dropPath: the PyTorch twin has no ScheduledDropPath; benchmark with dropPathKeepProb 1 (node ${t})`);
  }
}

/** The graph of a cell network (NASNet/PNAS) and its outputs [logits] or [logits, aux]. */
export function cellNetworkGraph(def: NetworkDef): { nodes: GraphNode[]; outputs: number[] } {
  if (def.kind !== 'cells') throw new Error(`cellNetworkGraph: expected a cell network, received a ${def.kind} network`);
  const net = new GraphNet();
  const input = net.input(def.macro.inputSize, def.macro.inputSize, def.macro.channels ?? 3);
  const out = buildCellNetwork(net, input, def.family, def.macro);
  return { nodes: net.nodes, outputs: out.aux === undefined ? [out.logits] : [out.logits, out.aux] };
}
