/**
 * The `Net` interpreter that builds a tfjs-layers graph. The tfjs module is passed in (builders
 * are pure given a tfjs instance), so callers choose the backend package. Weights use the tfjs
 * default initialisers; BN momentum and epsilon come from the model's training settings.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { dropPathLayer } from './drop-path.js';
import { strides, type Activation, type ConvArgs, type DepthwiseArgs, type DropPathArgs, type Net, type PoolArgs, type Shape } from './net.js';

export type Tf = typeof tfjs;
type ST = tfjs.SymbolicTensor;

export interface BnArgs {
  /** Moving-average decay. Default: 0.99. */
  momentum?: number;
  /** Default: 0.001. */
  epsilon?: number;
}

export class TfjsNet implements Net<ST> {
  constructor(
    private readonly tf: Tf,
    private readonly bnArgs: BnArgs = {},
  ) {}

  shape(t: ST): Shape {
    const s = t.shape;
    return s.length === 2 ? { h: 1, w: 1, c: s[1] as number } : { h: s[1] as number, w: s[2] as number, c: s[3] as number };
  }

  conv(t: ST, a: ConvArgs): ST {
    return this.apply(
      this.tf.layers.conv2d({
        filters: a.filters,
        kernelSize: [a.kernel[0], a.kernel[1]],
        strides: strides(a.stride),
        padding: a.padding ?? 'same',
        dilationRate: a.dilation ?? 1,
        useBias: a.bias ?? false,
      }),
      t,
    );
  }

  depthwise(t: ST, a: DepthwiseArgs): ST {
    return this.apply(
      this.tf.layers.depthwiseConv2d({
        kernelSize: a.kernel,
        strides: a.stride ?? 1,
        dilationRate: a.dilation ?? 1,
        padding: 'same',
        depthMultiplier: 1,
        useBias: false,
      }),
      t,
    );
  }

  separable(t: ST, filters: number, kernel: number, stride: number): ST {
    return this.apply(this.tf.layers.separableConv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', depthMultiplier: 1, useBias: false }), t);
  }

  bn(t: ST): ST {
    return this.apply(this.tf.layers.batchNormalization({ axis: -1, momentum: this.bnArgs.momentum ?? 0.99, epsilon: this.bnArgs.epsilon ?? 0.001 }), t);
  }

  act(t: ST, kind: Activation): ST {
    return this.apply(this.tf.layers.activation({ activation: kind }), t);
  }

  pool(t: ST, a: PoolArgs): ST {
    const args = { poolSize: a.size, strides: a.stride, padding: a.padding ?? 'same' } as const;
    return this.apply(a.type === 'avg' ? this.tf.layers.averagePooling2d(args) : this.tf.layers.maxPooling2d(args), t);
  }

  shift(t: ST): ST {
    const padded = this.apply(
      this.tf.layers.zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
      }),
      t,
    );
    return this.apply(
      this.tf.layers.cropping2D({
        cropping: [
          [1, 0],
          [1, 0],
        ],
      }),
      padded,
    );
  }

  add(a: ST, b: ST): ST {
    return this.tf.layers.add().apply([a, b]) as ST;
  }

  mul(a: ST, b: ST): ST {
    return this.tf.layers.multiply().apply([a, b]) as ST;
  }

  concat(ts: readonly ST[]): ST {
    return this.tf.layers.concatenate({ axis: -1 }).apply([...ts]) as ST;
  }

  globalPool(t: ST): ST {
    return this.apply(this.tf.layers.globalAveragePooling2d({}), t);
  }

  toMap(t: ST): ST {
    return this.apply(this.tf.layers.reshape({ targetShape: [1, 1, this.shape(t).c] }), t);
  }

  flatten(t: ST): ST {
    return this.apply(this.tf.layers.flatten(), t);
  }

  dense(t: ST, units: number): ST {
    return this.apply(this.tf.layers.dense({ units }), t);
  }

  dropout(t: ST, rate: number): ST {
    return this.apply(this.tf.layers.dropout({ rate }), t);
  }

  dropPath(t: ST, a: DropPathArgs): ST {
    return this.apply(dropPathLayer(this.tf, a), t);
  }

  private apply(layer: tfjs.layers.Layer, t: ST): ST {
    return layer.apply(t) as ST;
  }
}
