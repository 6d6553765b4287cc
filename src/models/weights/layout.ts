/**
 * Tensor layouts of the frameworks nasflow trades weights with. tfjs (like Keras) is channels-last:
 * conv kernels HWIO, depthwise kernels [kh, kw, C, 1], dense kernels [in, out]. PyTorch is
 * channels-first: conv OIHW, depthwise [C, 1, kh, kw], linear [out, in]. BN vectors are the same
 * everywhere (the names differ: gamma/beta/moving_mean/moving_variance vs
 * weight/bias/running_mean/running_var).
 */

/** What a nasflow layer is, for the weight layouts. */
export type LayerKind = 'conv' | 'depthwise' | 'separable' | 'dense' | 'bn';

export type Framework = 'torch' | 'keras';

/** Permutes the axes of a row-major tensor: output axis i is input axis perm[i]. */
export function transpose(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i]! * inStrides[perm[i]!]!;
    out[o] = data[src]!;
    for (let i = rank - 1; i >= 0; i--) {
      idx[i]! += 1;
      if (idx[i]! < outShape[i]!) break;
      idx[i] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** The permutation taking a weight of `kind` from the framework's layout to tfjs's (rank-4/2 kernels only). */
function toTfjsPerm(kind: LayerKind, framework: Framework, rank: number): number[] | undefined {
  if (framework === 'keras' || rank === 1) return undefined;
  if (kind === 'conv') return [2, 3, 1, 0];
  if (kind === 'depthwise') return [2, 3, 0, 1];
  if (kind === 'dense') return [1, 0];
  return undefined;
}

function inverse(perm: readonly number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, i) => (out[p] = i));
  return out;
}

/** The shape a tfjs weight of `shape` has in the framework's layout (for error messages and export). */
export function frameworkShape(kind: LayerKind, framework: Framework, shape: readonly number[]): number[] {
  const perm = toTfjsPerm(kind, framework, shape.length);
  return perm ? inverse(perm).map((p) => shape[p]!) : [...shape];
}

export function toTfjs(kind: LayerKind, framework: Framework, data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  const perm = toTfjsPerm(kind, framework, shape.length);
  return perm ? transpose(data, shape, perm) : { data, shape: [...shape] };
}

export function fromTfjs(kind: LayerKind, framework: Framework, data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  const perm = toTfjsPerm(kind, framework, shape.length);
  return perm ? transpose(data, shape, inverse(perm)) : { data, shape: [...shape] };
}
