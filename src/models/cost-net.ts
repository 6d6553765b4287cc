/**
 * The analytic cost model: a `Net` whose tensors are shapes. It counts parameters the TF-slim way
 * (conv and depthwise weights, conv bias where present, BN gamma and beta, dense weights and bias;
 * see shared/reference/architectures.json `conventions.paramCounting`) and multiply-accumulates of
 * every conv, depthwise and dense layer (pooling, BN and activations are free: `conventions.multAdds`).
 */
import { outSize, strides, type ConvArgs, type DepthwiseArgs, type Net, type PoolArgs, type Shape } from './net.js';
import { at } from '../common/indexing.js';

export interface Cost {
  params: number;
  /** Multiply-accumulates of every conv, depthwise and dense layer for one image. */
  multAdds: number;
  /** The part of `multAdds` in dense (fully connected) layers. */
  denseMultAdds: number;
}

export class CostNet implements Net<Shape> {
  params = 0;
  multAdds = 0;
  denseMultAdds = 0;

  input(h: number, w: number, c: number): Shape {
    return { h, w, c };
  }

  scope<R>(_name: string, fn: () => R): R {
    return fn();
  }

  shape(t: Shape): Shape {
    return t;
  }

  conv(t: Shape, a: ConvArgs): Shape {
    const [sh, sw] = strides(a.stride);
    const [kh, kw] = a.kernel;
    const pad = a.padding ?? 'same';
    const out = { h: outSize(t.h, kh, sh, pad, a.dilation), w: outSize(t.w, kw, sw, pad, a.dilation), c: a.filters };
    this.params += kh * kw * t.c * a.filters + (a.bias ? a.filters : 0);
    this.multAdds += out.h * out.w * kh * kw * t.c * a.filters;
    return out;
  }

  depthwise(t: Shape, a: DepthwiseArgs): Shape {
    const s = a.stride ?? 1;
    const pad = a.padding ?? 'same';
    const out = { h: outSize(t.h, a.kernel, s, pad, a.dilation), w: outSize(t.w, a.kernel, s, pad, a.dilation), c: t.c };
    this.params += a.kernel * a.kernel * t.c;
    this.multAdds += out.h * out.w * a.kernel * a.kernel * t.c;
    return out;
  }

  separable(t: Shape, filters: number, kernel: number, stride: number): Shape {
    const d = this.depthwise(t, { kernel, stride });
    return this.conv(d, { filters, kernel: [1, 1] });
  }

  bn(t: Shape): Shape {
    this.params += 2 * t.c;
    return t;
  }

  act(t: Shape): Shape {
    return t;
  }

  pool(t: Shape, a: PoolArgs): Shape {
    const pad = a.padding ?? 'same';
    return { h: outSize(t.h, a.size, a.stride, pad), w: outSize(t.w, a.size, a.stride, pad), c: t.c };
  }

  shift(t: Shape): Shape {
    return t;
  }

  add(a: Shape, b: Shape): Shape {
    if (a.h !== b.h || a.w !== b.w || a.c !== b.c) throw new Error(`add: shapes differ: ${fmt(a)} vs ${fmt(b)}`);
    return a;
  }

  mul(a: Shape): Shape {
    return a;
  }

  concat(ts: readonly Shape[]): Shape {
    const first = at(ts, 0, 'concat input');
    for (const t of ts) if (t.h !== first.h || t.w !== first.w) throw new Error(`concat: spatial sizes differ: ${ts.map(fmt).join(', ')}`);
    return { h: first.h, w: first.w, c: ts.reduce((n, t) => n + t.c, 0) };
  }

  globalPool(t: Shape): Shape {
    return { h: 1, w: 1, c: t.c };
  }

  toMap(t: Shape): Shape {
    return t;
  }

  flatten(t: Shape): Shape {
    return { h: 1, w: 1, c: t.h * t.w * t.c };
  }

  dense(t: Shape, units: number): Shape {
    this.params += t.c * units + units;
    this.multAdds += t.c * units;
    this.denseMultAdds += t.c * units;
    return { h: 1, w: 1, c: units };
  }

  dropout(t: Shape): Shape {
    return t;
  }

  dropPath(t: Shape): Shape {
    return t;
  }

  cost(): Cost {
    return { params: this.params, multAdds: this.multAdds, denseMultAdds: this.denseMultAdds };
  }
}

function fmt(s: Shape): string {
  return `${s.h}x${s.w}x${s.c}`;
}
