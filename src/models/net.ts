/**
 * The small set of tensor operations every nasflow network is written in. A network description
 * (cell compiler, macro skeletons, MBConv chains) is written once against `Net<T>`, and two
 * interpreters run it: `TfjsNet` builds tfjs layers and `CostNet` counts parameters and
 * multiply-accumulates from shapes alone. Because both read the same description, the analytic
 * cost model cannot drift from the built model.
 *
 * Conventions (TF-slim / Keras): NHWC, convolutions without bias unless `bias` is set, BN with
 * scale and centre (gamma and beta are the counted parameters; moving statistics are not).
 */

/** Spatial size and channels of a feature map (batch excluded); vectors are 1 x 1 x c. */
export interface Shape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/**
 * `same`: TensorFlow's SAME (output ceil(size / stride); an odd total pad puts the extra row and
 * column at the bottom/right). `valid`: no padding. `symmetric`: PyTorch's explicit padding of
 * `symmetricPad` pixels on every side (timm's default `pad_type=''`), which differs from SAME
 * for strided layers on even sizes; weights imported from timm need it to give timm's logits.
 */
export type Padding = 'same' | 'valid' | 'symmetric';
export type Activation = 'relu' | 'relu6' | 'sigmoid';

export interface ConvArgs {
  filters: number;
  /** [height, width] of the kernel. */
  kernel: readonly [number, number];
  /** Default: 1. */
  stride?: number | readonly [number, number];
  /** Default: 1. */
  dilation?: number;
  /** Default: 'same'. */
  padding?: Padding;
  /** Default: false (a BN follows). */
  bias?: boolean;
}

export interface DepthwiseArgs {
  kernel: number;
  /** Default: 1. */
  stride?: number;
  /** Default: 1. */
  dilation?: number;
  /** 'same' or 'symmetric'. Default: 'same'. */
  padding?: Exclude<Padding, 'valid'>;
}

export interface PoolArgs {
  type: 'avg' | 'max';
  size: number;
  stride: number;
  /**
   * 'same', 'valid', or 'zeros': SAME's split of the padding, but explicit zeros that max pooling
   * sees and average pooling counts (Keras NASNet's reduction cells, `ZeroPadding2D` then VALID).
   * Default: 'same' (average pooling excludes the padding, as in TF).
   */
  padding?: 'same' | 'valid' | 'zeros';
}

export interface DropPathArgs {
  /** Keep probability at the end of training for the last cell (TF-slim `drop_path_keep_prob`). */
  keepProb: number;
  /** Index of the cell in the whole network, stem cells included (TF-slim `cell_num`). */
  cellIndex: number;
  /** Number of cells in the whole network (TF-slim `total_num_cells`). */
  totalCells: number;
}

export interface Net<T> {
  /**
   * Runs `fn` inside a named scope: layers built by `fn` get names under it (`cell_3/block_1/left/…`),
   * so exported weights say where they sit in the network. Scopes nest; interpreters without
   * names (the cost model) just run `fn`.
   */
  scope<R>(name: string, fn: () => R): R;
  shape(t: T): Shape;
  conv(t: T, a: ConvArgs): T;
  depthwise(t: T, a: DepthwiseArgs): T;
  /** Depthwise kxk (multiplier 1, the stride) then pointwise 1x1 to `filters`; no bias. */
  separable(t: T, filters: number, kernel: number, stride: number): T;
  bn(t: T): T;
  act(t: T, kind: Activation): T;
  pool(t: T, a: PoolArgs): T;
  /** Pads one row/column at the bottom/right and drops the first (factorized reduction path 2). */
  shift(t: T): T;
  add(a: T, b: T): T;
  /** Element-wise product; `b` may be 1 x 1 x c (broadcast over space, as in SE). */
  mul(a: T, b: T): T;
  concat(ts: readonly T[]): T;
  /** Global average pool to a vector. */
  globalPool(t: T): T;
  /** Vector to a 1 x 1 x c map (SE). */
  toMap(t: T): T;
  flatten(t: T): T;
  dense(t: T, units: number): T;
  dropout(t: T, rate: number): T;
  dropPath(t: T, a: DropPathArgs): T;
}

/** Pixels padded on each side under 'symmetric' padding: timm `get_padding`, ((s - 1) + d (k - 1)) // 2. */
export function symmetricPad(kernel: number, stride: number, dilation = 1): number {
  return Math.floor((stride - 1 + dilation * (kernel - 1)) / 2);
}

/**
 * True when 'symmetric' padding pads exactly as SAME does (stride 1, odd effective kernel), so
 * the interpreter can build the plain SAME layer.
 */
export function symmetricIsSame(kernel: number, stride: number, dilation = 1): boolean {
  return stride === 1 && (dilation * (kernel - 1)) % 2 === 0;
}

/** TF SAME's padding along one axis: [before, after], the odd pixel after. */
export function samePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Output size of a convolution or pooling window along one axis (TF rules; PyTorch's for 'symmetric'). */
export function outSize(size: number, kernel: number, stride: number, padding: Padding | 'zeros', dilation = 1): number {
  if (padding === 'same' || padding === 'zeros') return Math.ceil(size / stride);
  const eff = (kernel - 1) * dilation + 1;
  const pad = padding === 'symmetric' ? 2 * symmetricPad(kernel, stride, dilation) : 0;
  return Math.floor((size + pad - eff) / stride) + 1;
}

export function strides(s: number | readonly [number, number] | undefined): [number, number] {
  if (s === undefined) return [1, 1];
  return typeof s === 'number' ? [s, s] : [s[0], s[1]];
}
