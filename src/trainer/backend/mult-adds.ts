/**
 * Multiply-adds of one forward pass of a tfjs layers model, counted the way the NAS papers count
 * them (convolutions and fully connected layers only; batch norm, pooling and adds are ignored).
 * Used to turn images/s into achieved FLOP/s: training costs about 3 forward passes (forward,
 * gradient of the input, gradient of the weights), each mult-add being 2 FLOPs.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { at } from '../../common/indexing.js';

type Shape = readonly (number | null)[];

function lastDim(shape: Shape): number {
  return shape[shape.length - 1] ?? 0;
}

function spatial(shape: Shape): number {
  return (shape[1] ?? 0) * (shape[2] ?? 0);
}

function inputShapeOf(layer: tfjs.layers.Layer): Shape {
  const input = layer.input as tfjs.SymbolicTensor | tfjs.SymbolicTensor[];
  return (Array.isArray(input) ? at(input, 0, `${layer.name} input`) : input).shape;
}

/** Forward-pass mult-adds of one layer; 0 for layers that do no multiplications worth counting. */
export function layerMultAdds(layer: tfjs.layers.Layer): number {
  const config = layer.getConfig() as Record<string, unknown>;
  const out = layer.outputShape as Shape;
  const cin = lastDim(inputShapeOf(layer));
  const kernel = (config.kernelSize as number[] | undefined) ?? [1, 1];
  const kh = at(kernel, 0, `${layer.name} kernelSize`);
  const taps = kh * (kernel[1] ?? kh);
  switch (layer.getClassName()) {
    case 'Conv2D':
      return spatial(out) * taps * cin * lastDim(out);
    case 'SeparableConv2D':
    case 'DepthwiseConv2D': {
      const mult = (config.depthMultiplier as number | undefined) ?? 1;
      const depthwise = spatial(out) * taps * cin * mult;
      const pointwise = layer.getClassName() === 'SeparableConv2D' ? spatial(out) * cin * mult * lastDim(out) : 0;
      return depthwise + pointwise;
    }
    case 'Dense':
      return cin * lastDim(out);
    default:
      return 0;
  }
}

/** Forward-pass mult-adds of a whole model for one example. */
export function modelMultAdds(model: tfjs.LayersModel): number {
  return model.layers.reduce((sum, layer) => sum + layerMultAdds(layer), 0);
}

/** Training FLOPs per example: 3 passes (forward, input gradient, weight gradient) x 2 FLOPs per mult-add. */
export function trainingFlopsPerExample(model: tfjs.LayersModel): number {
  return 6 * modelMultAdds(model);
}
