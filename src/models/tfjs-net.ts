/**
 * The `Net` interpreter that builds a tfjs-layers graph. The tfjs module is passed in (builders
 * are pure given a tfjs instance), so callers choose the backend package. Weights use the tfjs
 * default initialisers; BN momentum and epsilon come from the model's training settings.
 *
 * Layers are named by where they sit: the scopes the network description opens, then the kind of
 * layer (`cell_3/block_1/left/sep_3x3/sep_1/separable`), with `_<n>` added when a scope holds more
 * than one of a kind. The names are a function of the network alone, so the same genotype and
 * macro give the same names in every process (tfjs's own names count layers per process); weights
 * are `<layer>/<weight>` (`…/separable/depthwise_kernel`, `…/bn/moving_mean`). Checkpoints restore
 * by position, not by name (src/trainer/loop.ts), so the names change nothing a checkpoint needs.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { dropPathLayer } from './drop-path.js';
import {
  samePads,
  strides,
  symmetricIsSame,
  symmetricPad,
  type Activation,
  type ConvArgs,
  type DepthwiseArgs,
  type DropPathArgs,
  type Net,
  type Padding,
  type PoolArgs,
  type Shape,
} from './net.js';

export type Tf = typeof tfjs;
type ST = tfjs.SymbolicTensor;

export interface BnArgs {
  /** Moving-average decay. Default: 0.99. */
  momentum?: number;
  /** Default: 0.001. */
  epsilon?: number;
}

export class TfjsNet implements Net<ST> {
  private readonly scopes: string[] = [];
  /** Layers named so far per base name, for the `_<n>` suffix. */
  private readonly used = new Map<string, number>();

  constructor(
    private readonly tf: Tf,
    private readonly bnArgs: BnArgs = {},
  ) {}

  scope<R>(name: string, fn: () => R): R {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** A unique name for the next layer of `kind` in the current scope. */
  private name(kind: string): string {
    const base = [...this.scopes, kind].join('/');
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  shape(t: ST): Shape {
    const s = t.shape;
    return s.length === 2 ? { h: 1, w: 1, c: s[1] as number } : { h: s[1] as number, w: s[2] as number, c: s[3] as number };
  }

  conv(t: ST, a: ConvArgs): ST {
    const s = strides(a.stride);
    const [x, padding] = this.padFor(t, a.padding ?? 'same', [a.kernel[0], a.kernel[1]], s, a.dilation ?? 1);
    return this.apply(
      this.tf.layers.conv2d({
        name: this.name('conv'),
        filters: a.filters,
        kernelSize: [a.kernel[0], a.kernel[1]],
        strides: s,
        padding,
        dilationRate: a.dilation ?? 1,
        useBias: a.bias ?? false,
      }),
      x,
    );
  }

  depthwise(t: ST, a: DepthwiseArgs): ST {
    const s = a.stride ?? 1;
    const [x, padding] = this.padFor(t, a.padding ?? 'same', [a.kernel, a.kernel], [s, s], a.dilation ?? 1);
    return this.apply(
      this.tf.layers.depthwiseConv2d({
        name: this.name('depthwise'),
        kernelSize: a.kernel,
        strides: s,
        dilationRate: a.dilation ?? 1,
        padding,
        depthMultiplier: 1,
        useBias: false,
      }),
      x,
    );
  }

  /**
   * tfjs has no symmetric padding mode: where 'symmetric' differs from SAME, a zero-padding layer
   * (`pad`, no weights) goes first and the layer runs VALID.
   */
  private padFor(t: ST, padding: Padding, kernel: [number, number], s: [number, number], dilation: number): [ST, 'same' | 'valid'] {
    if (padding !== 'symmetric') return [t, padding];
    if (symmetricIsSame(kernel[0], s[0], dilation) && symmetricIsSame(kernel[1], s[1], dilation)) return [t, 'same'];
    const ph = symmetricPad(kernel[0], s[0], dilation);
    const pw = symmetricPad(kernel[1], s[1], dilation);
    const pad = this.tf.layers.zeroPadding2d({
      name: this.name('pad'),
      padding: [
        [ph, ph],
        [pw, pw],
      ],
    });
    return [this.apply(pad, t), 'valid'];
  }

  separable(t: ST, filters: number, kernel: number, stride: number): ST {
    return this.apply(
      this.tf.layers.separableConv2d({
        name: this.name('separable'),
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: 'same',
        depthMultiplier: 1,
        useBias: false,
      }),
      t,
    );
  }

  bn(t: ST): ST {
    return this.apply(
      this.tf.layers.batchNormalization({ name: this.name('bn'), axis: -1, momentum: this.bnArgs.momentum ?? 0.99, epsilon: this.bnArgs.epsilon ?? 0.001 }),
      t,
    );
  }

  act(t: ST, kind: Activation): ST {
    return this.apply(this.tf.layers.activation({ name: this.name(kind), activation: kind }), t);
  }

  pool(t: ST, a: PoolArgs): ST {
    let x = t;
    if (a.padding === 'zeros') {
      const { h, w } = this.shape(t);
      const pad = this.tf.layers.zeroPadding2d({ name: this.name('pad'), padding: [samePads(h, a.size, a.stride), samePads(w, a.size, a.stride)] });
      x = this.apply(pad, t);
    }
    const padding = a.padding === 'zeros' ? 'valid' : (a.padding ?? 'same');
    const args = { name: this.name(`${a.type}_pool`), poolSize: a.size, strides: a.stride, padding } as const;
    return this.apply(a.type === 'avg' ? this.tf.layers.averagePooling2d(args) : this.tf.layers.maxPooling2d(args), x);
  }

  shift(t: ST): ST {
    const padded = this.apply(
      this.tf.layers.zeroPadding2d({
        name: this.name('shift_pad'),
        padding: [
          [0, 1],
          [0, 1],
        ],
      }),
      t,
    );
    return this.apply(
      this.tf.layers.cropping2D({
        name: this.name('shift_crop'),
        cropping: [
          [1, 0],
          [1, 0],
        ],
      }),
      padded,
    );
  }

  add(a: ST, b: ST): ST {
    return this.tf.layers.add({ name: this.name('add') }).apply([a, b]) as ST;
  }

  mul(a: ST, b: ST): ST {
    return this.tf.layers.multiply({ name: this.name('mul') }).apply([a, b]) as ST;
  }

  concat(ts: readonly ST[]): ST {
    return this.tf.layers.concatenate({ name: this.name('concat'), axis: -1 }).apply([...ts]) as ST;
  }

  globalPool(t: ST): ST {
    return this.apply(this.tf.layers.globalAveragePooling2d({ name: this.name('global_pool') }), t);
  }

  toMap(t: ST): ST {
    return this.apply(this.tf.layers.reshape({ name: this.name('to_map'), targetShape: [1, 1, this.shape(t).c] }), t);
  }

  flatten(t: ST): ST {
    return this.apply(this.tf.layers.flatten({ name: this.name('flatten') }), t);
  }

  dense(t: ST, units: number): ST {
    return this.apply(this.tf.layers.dense({ name: this.name('dense'), units }), t);
  }

  dropout(t: ST, rate: number): ST {
    return this.apply(this.tf.layers.dropout({ name: this.name('dropout'), rate }), t);
  }

  dropPath(t: ST, a: DropPathArgs): ST {
    return this.apply(dropPathLayer(this.tf, a, this.name('drop_path')), t);
  }

  private apply(layer: tfjs.layers.Layer, t: ST): ST {
    return layer.apply(t) as ST;
  }
}
