/**
 * Latency keys of a NASNet network (cells stacked by src/models/cell-macro.ts, compiled by
 * src/models/cell-net.ts): every piece of tfjs the network builds, keyed by what fixes its cost, so a
 * network's latency is `base` + the sum of its keys' entries (src/algorithms/rl/latency-table.ts).
 * Pure: shapes are computed here by the builders' rules (SAME convolutions and pools give
 * ceil(h / stride); the ImageNet stem conv is 3x3/2 VALID), and a unit test checks that pricing every
 * key by its analytic cost gives the whole network's parameters and mult-adds exactly.
 *
 * A cell's site is `normal/s<stage>`, `reduction/s<stage>` (the reduction cell that opens stage 1
 * or 2, reading stage `stage - 1`'s resolution) or `reduction/stem<0|1>` (the ImageNet stem cells
 * at F/4 and F/2). Filters double at each reduction. Keys (`L` = `nasnet/<site>`), in build order:
 *
 * - `L/input/c<C>`: h_i's preamble, ReLU + 1x1 conv + BN from the previous cell's C channels.
 * - `L/prev/x2/c<C>` or `L/prev/x1/c<C>`: h_i-1's preamble when it is at another resolution (ReLU
 *   + factorized reduction: the first cell after a reduction, the second ImageNet stem cell) or has
 *   C != F channels (ReLU + 1x1 conv + BN); none when the cell reads its input raw (the first cell)
 *   or h_i-1 already fits.
 * - `L/<op>/x<stride>/c<C>` per branch: the op at the cell's stride when it reads h_i or h_i-1
 *   (2 in a reduction cell), stride 1 when it reads a block output; C is the state's channels:
 *   F, 2F for a block combined by `concat`, or the raw input's channels in the first cell. An
 *   identity that changes nothing builds nothing and has no key.
 * - `L/add` or `L/concat` per block: the combiner at the block's resolution.
 * - `L/reduce-output/x<s>/c<C>` per concatenated cell input that must be brought to the output's
 *   resolution (x2) or to F channels (x1, a raw input), then `L/concat<k>` when the output
 *   concatenates two states or more: k = output channels / F (a `concat` block counts 2).
 *   k is also the width the next cells' preambles read (their `input/c` and `prev/c` keys).
 * - `nasnet/head/c<C>`: ReLU, global pool and classifier on the last cell's C channels.
 *
 * `base` is the stem convolution. Cells of one stage past the first two see the same shapes, so
 * their keys repeat: a network's key list holds each key as often as it is built (N cells per
 * stage: `cellsPerStage`).
 */
import { at } from '../../common/indexing.js';
import { concatStates, type CellGenotype } from '../../space/cell.js';
import type { NasnetGenotype } from '../../space/nasnet.js';

/** The macro a NASNet latency table is profiled for (src/models/cell-macro.ts `CellMacro` without training-only settings). */
export interface NasnetLatencyMacro {
  /** 'cifar' (3x3 stem conv) or 'imagenet' (3x3/2 VALID conv, then two reduction cells at F/4 and F/2). */
  readonly stem: 'cifar' | 'imagenet';
  /** N: normal cells per stage; 3 stages, a reduction cell before stages 1 and 2. */
  readonly cellsPerStage: number;
  /** F: filters of stage 0, doubled at each reduction. */
  readonly filters: number;
  /** Default: 3 (cifar), 1 (imagenet). */
  readonly stemMultiplier?: number;
  /** TF-slim `skip_reduction_layer_input`. Default: false. */
  readonly skipReductionLayerInput?: boolean;
}

export type Shape3 = readonly [number, number, number];

/** What one key builds, alone, on an input of shape `input` (built by src/latency/nasnet-parts.ts). */
export type NasnetPart =
  | { readonly kind: 'stem'; readonly input: Shape3 }
  /** ReLU, then 1x1 conv + BN (stride 1) or factorized reduction (stride 2). */
  | { readonly kind: 'preamble'; readonly input: Shape3; readonly filters: number; readonly stride: 1 | 2 }
  | { readonly kind: 'op'; readonly input: Shape3; readonly op: string; readonly filters: number; readonly stride: number }
  | { readonly kind: 'combine'; readonly input: Shape3; readonly combine: 'add' | 'concat' }
  /** Factorized reduction without ReLU (the cell output's `_combine_unused_states`). */
  | { readonly kind: 'reduce-output'; readonly input: Shape3; readonly filters: number; readonly stride: 1 | 2 }
  /** `pieces` copies of an F-wide input concatenated: the cell output's copy of k F-wide pieces. */
  | { readonly kind: 'concat'; readonly input: Shape3; readonly pieces: number }
  | { readonly kind: 'head'; readonly input: Shape3 };

export interface KeyedPart {
  readonly key: string;
  readonly part: NasnetPart;
}

/** One cell as the macro places it: what it reads and how it is built. */
export interface CellSite {
  readonly label: string;
  readonly kind: 'normal' | 'reduction';
  readonly filters: number;
  readonly stride: 1 | 2;
  /** h_i: the previous cell's output. */
  readonly input: Shape3;
  /** h_i-1, or null for the first cell (which reads its input raw as h_i-1). */
  readonly prev: Shape3 | null;
}

export interface NasnetLayout {
  readonly stem: NasnetPart;
  readonly sites: readonly CellSite[];
  /** The head's input: the last cell's output. */
  readonly last: Shape3;
}

const half = (n: number): number => Math.ceil(n / 2);

/** Output channels of a cell in units of F: a cell input or an `add` block is F wide, a `concat` block 2F. */
export function cellWidth(cell: CellGenotype): number {
  return concatStates(cell).reduce((k, s) => k + (s >= 2 && at(cell.blocks, s - 2, 'cell block').combine === 'concat' ? 2 : 1), 0);
}

/**
 * The cells of the network in build order (cell-macro.ts `buildCellNetwork`, NASNet family, 3N
 * normal cells, reductions before cells N and 2N), given each cell kind's output width in F.
 */
export function nasnetLayout(m: NasnetLatencyMacro, imageSize: number, widths: { normal: number; reduction: number }): NasnetLayout {
  const imagenet = m.stem === 'imagenet';
  const sm = m.stemMultiplier ?? (imagenet ? 1 : 3);
  const outputs: (Shape3 | null)[] = [null];
  const sites: CellSite[] = [];
  const last = (): Shape3 => at(outputs, outputs.length - 1, 'cell output') as Shape3;
  const twoBack = (): Shape3 | null => at(outputs, outputs.length - 2, 'cell output');
  const place = (site: CellSite): void => {
    sites.push(site);
    const [h, w] = site.input;
    const s = site.stride;
    outputs.push([s === 2 ? half(h) : h, s === 2 ? half(w) : w, widths[site.kind] * site.filters]);
  };
  let stem: NasnetPart;
  if (imagenet) {
    stem = { kind: 'stem', input: [imageSize, imageSize, 3] };
    const h = Math.floor((imageSize - 3) / 2) + 1;
    outputs.push([h, h, Math.floor(32 * sm)]);
    [0.25, 0.5].forEach((scale, i) =>
      place({ label: `reduction/stem${i}`, kind: 'reduction', filters: Math.floor(m.filters * scale), stride: 2, input: last(), prev: twoBack() }),
    );
  } else {
    stem = { kind: 'stem', input: [imageSize, imageSize, 3] };
    outputs.push([imageSize, imageSize, Math.floor(m.filters * sm)]);
  }
  const n = m.cellsPerStage;
  let stage = 0;
  let prev: Shape3 | null = null;
  for (let c = 0; c < 3 * n; c++) {
    if (m.skipReductionLayerInput) prev = twoBack();
    if (c === n || c === 2 * n) {
      stage++;
      place({ label: `reduction/s${stage}`, kind: 'reduction', filters: m.filters * 2 ** stage, stride: 2, input: last(), prev: twoBack() });
    }
    if (!m.skipReductionLayerInput) prev = twoBack();
    place({ label: `normal/s${stage}`, kind: 'normal', filters: m.filters * 2 ** stage, stride: 1, input: last(), prev });
  }
  return { stem, sites, last: last() };
}

/** h_i and h_i-1 after the cell's preambles, and the preamble parts. */
function preambles(site: CellSite): { parts: KeyedPart[]; states: [Shape3, Shape3] } {
  const L = `nasnet/${site.label}`;
  const F = site.filters;
  const [h, w, c] = site.input;
  const parts: KeyedPart[] = [{ key: `${L}/input/c${c}`, part: { kind: 'preamble', input: site.input, filters: F, stride: 1 } }];
  const fitted: Shape3 = [h, w, F];
  const p = site.prev;
  if (p === null) return { parts, states: [fitted, site.input] };
  if (p[1] !== w) parts.push({ key: `${L}/prev/x2/c${p[2]}`, part: { kind: 'preamble', input: p, filters: F, stride: 2 } });
  else if (p[2] !== F) parts.push({ key: `${L}/prev/x1/c${p[2]}`, part: { kind: 'preamble', input: p, filters: F, stride: 1 } });
  return { parts, states: [fitted, p[1] !== w || p[2] !== F ? fitted : p] };
}

/** The op part of a branch reading a state of shape `state`, or null for an identity that builds nothing. */
function opPart(site: CellSite, op: string, state: Shape3, fromCellInput: boolean): KeyedPart | null {
  const stride = fromCellInput ? site.stride : 1;
  if (op === 'identity' && stride === 1 && state[2] === site.filters) return null;
  return { key: `nasnet/${site.label}/${op}/x${stride}/c${state[2]}`, part: { kind: 'op', input: state, op, filters: site.filters, stride } };
}

const strided = (s: Shape3, stride: number): Shape3 => (stride === 2 ? [half(s[0]), half(s[1]), s[2]] : s);

function combinePart(site: CellSite, combine: 'add' | 'concat', at: Shape3): KeyedPart {
  return { key: `nasnet/${site.label}/${combine}`, part: { kind: 'combine', input: [at[0], at[1], site.filters], combine } };
}

/** The output's handling of one concatenated state: a reduction part, or none; its width in F. */
function outputPiece(site: CellSite, index: number, state: Shape3, outH: number): { part: KeyedPart | null; units: number } {
  const F = site.filters;
  const L = `nasnet/${site.label}`;
  if (state[0] !== outH)
    return { part: { key: `${L}/reduce-output/x2/c${state[2]}`, part: { kind: 'reduce-output', input: state, filters: F, stride: 2 } }, units: 1 };
  if (index < 2 && state[2] !== F)
    return { part: { key: `${L}/reduce-output/x1/c${state[2]}`, part: { kind: 'reduce-output', input: state, filters: F, stride: 1 } }, units: 1 };
  return { part: null, units: state[2] / F };
}

function concatPart(site: CellSite, units: number, out: Shape3): KeyedPart {
  return { key: `nasnet/${site.label}/concat${units}`, part: { kind: 'concat', input: [out[0], out[1], site.filters], pieces: units } };
}

/** The parts one cell builds, in build order (cell-net.ts `compileCell`). */
export function cellParts(site: CellSite, cell: CellGenotype): KeyedPart[] {
  const { parts, states } = preambles(site);
  const all: Shape3[] = [...states];
  for (const block of cell.blocks) {
    let out: Shape3 | undefined;
    block.inputs.forEach((from, side) => {
      const state = at(all, from, 'cell state');
      const part = opPart(site, at(block.ops, side, 'block op'), state, from < 2);
      if (part) parts.push(part);
      out = strided(state, from < 2 ? site.stride : 1);
    });
    const o = out as Shape3;
    parts.push(combinePart(site, block.combine, o));
    all.push([o[0], o[1], block.combine === 'concat' ? 2 * site.filters : site.filters]);
  }
  const outShape = at(all, all.length - 1, 'cell state');
  const concat = concatStates(cell);
  let units = 0;
  for (const index of concat) {
    const piece = outputPiece(site, index, at(all, index, 'cell state'), outShape[0]);
    if (piece.part) parts.push(piece.part);
    units += piece.units;
  }
  if (concat.length > 1) parts.push(concatPart(site, units, outShape));
  return parts;
}

export function headPart(input: Shape3): KeyedPart {
  return { key: `nasnet/head/c${input[2]}`, part: { kind: 'head', input } };
}

/** Every part of a NASNet network, in build order; the stem (base) is not among them. */
export function nasnetNetworkParts(g: NasnetGenotype, m: NasnetLatencyMacro, imageSize: number): KeyedPart[] {
  const layout = nasnetLayout(m, imageSize, { normal: cellWidth(g.normal), reduction: cellWidth(g.reduction) });
  return [...layout.sites.flatMap((site) => cellParts(site, site.kind === 'normal' ? g.normal : g.reduction)), headPart(layout.last)];
}

/** The latency keys of a NASNet network, each as often as its part is built. */
export function nasnetLatencyKeys(g: NasnetGenotype, m: NasnetLatencyMacro, imageSize: number): string[] {
  return nasnetNetworkParts(g, m, imageSize).map((p) => p.key);
}

/**
 * Every part a cell at `site` can build with `blocks` blocks of `ops` (the profile's enumeration):
 * each op on each state shape it can read, both combiners, the output reductions, and every
 * output width of 2 to 2 + 2 x blocks pieces.
 */
export function siteAllParts(site: CellSite, ops: readonly string[], blocks: number): KeyedPart[] {
  const { parts, states } = preambles(site);
  const F = site.filters;
  const blockShape = strided(states[0], site.stride);
  const readable: [Shape3, boolean][] = [
    [states[0], true],
    [states[1], true],
    [[blockShape[0], blockShape[1], F], false],
    [[blockShape[0], blockShape[1], 2 * F], false],
  ];
  for (const op of ops) {
    for (const [state, fromCellInput] of readable) {
      const part = opPart(site, op, state, fromCellInput);
      if (part) parts.push(part);
    }
  }
  parts.push(combinePart(site, 'add', blockShape), combinePart(site, 'concat', blockShape));
  for (const [i, state] of states.entries()) {
    const piece = outputPiece(site, i, state, blockShape[0]);
    if (piece.part) parts.push(piece.part);
  }
  for (let units = 2; units <= 2 + 2 * blocks; units++) parts.push(concatPart(site, units, blockShape));
  return parts;
}
