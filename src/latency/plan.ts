/**
 * What a latency profile measures, and how the table's entries are formed from the measurements
 * (pure: no tfjs). A profile times small *parts* — the stem, one layer of a stage, the head — each
 * built alone at the input shape it sees in the network; every table entry is a sum of parts.
 *
 * A block of r layers is priced as its first layer (the stage's stride, in -> out channels) plus
 * (r - 1) times its repeated layer (stride 1, out -> out): the repeats are the same ops on the same
 * shapes, so timing one of them is enough, and the profile times 2,836 single layers for the 7,299
 * block entries of the MnasNet space at 32 px. Parts are keyed by input shape and the layer as built
 * (an identity skip that cannot apply is no skip), so equal layers are timed once.
 *
 * Every part's timing includes the fixed cost of one `predict` call; the whole network pays that
 * once, so it is taken off every entry and kept in `base` (see latency-table.ts in src/api).
 *
 * Enumerated: every block the space can produce at every input width the previous block can give
 * (MnasNet), every candidate at every layer (PONAS), and the blocks of the zoo models of the space
 * (MnasNet-A1/B1 use widths outside the space, e.g. 112 and 192 channels).
 *
 * NASNet (keys and parts: src/algorithms/rl/nasnet-latency-keys.ts) is profiled for one macro (stem,
 * N, F): every piece any genotype can build at every cell of that macro, for every output width the
 * normal and reduction cells can have (1 to 2 + 2B pieces of F), so the preambles that read those
 * widths are priced too. Its entries are single parts; a network lists a key once per piece.
 */
import { chainBlockKey, chainHeadKey } from '../algorithms/rl/latency-table.js';
import { formatStage, type StageSpec } from '../space/block-string.js';
import {
  MNASNET_FILTER_MULTS,
  MNASNET_KERNELS,
  MNASNET_LAYER_DELTAS,
  MNASNET_OPS,
  MNASNET_SE,
  MNASNET_SKELETON,
  MNASNET_SKIPS,
  type MnasnetBlock,
} from '../space/mnasnet.js';
import { PONAS_CANDIDATES, PONAS_FIXED_FIRST, PONAS_SKELETON } from '../space/ponas.js';
import { CostNet } from '../models/cost-net.js';
import { DEFAULT_MACROS } from '../models/build.js';
import { chainHead, chainStage, chainStem, type ChainMacro } from '../models/mbconv.js';
import type { Shape } from '../models/net.js';
import { at } from '../common/indexing.js';
import {
  headPart,
  nasnetLayout,
  nasnetNetworkParts,
  siteAllParts,
  type KeyedPart,
  type NasnetLatencyMacro,
  type NasnetPart,
} from '../algorithms/rl/nasnet-latency-keys.js';
import { nasnetSpace, type NasnetGenotype } from '../space/nasnet.js';
import type { CellMacro } from '../models/cell-macro.js';
import { cellMacroOf, withMacroDefaults } from './nasnet-parts.js';

export type LatencySpace = 'mnasnet' | 'ponas' | 'nasnet';
export const LATENCY_SPACES: readonly LatencySpace[] = ['mnasnet', 'ponas', 'nasnet'];

/**
 * One tiny model the profile times. `stem` takes the image; `layer` and `head` take `input`;
 * `nasnet` is one piece of a NASNet network at its input shape.
 */
export type PartBuild =
  | { kind: 'stem'; then: readonly StageSpec[] }
  | { kind: 'layer'; stage: StageSpec; index: number }
  | { kind: 'head' }
  | { kind: 'nasnet'; part: NasnetPart; macro: Required<NasnetLatencyMacro>; classes: number };

export interface ProfilePart {
  readonly id: string;
  /** Input shape per example (h, w, c). */
  readonly input: readonly [number, number, number];
  readonly build: PartBuild;
}

export interface Term {
  readonly part: string;
  readonly times: number;
}

export interface ProfilePlan {
  readonly space: LatencySpace;
  /** The macro the parts are built with: a chain's, or (nasnet) the cells'. */
  readonly macro: ChainMacro | CellMacro;
  /** NASNet: the macro the table records (the keys depend on it). */
  readonly cells?: Required<NasnetLatencyMacro>;
  readonly parts: readonly ProfilePart[];
  /** Parts whose sum (plus one call overhead) is `base`. */
  readonly base: readonly Term[];
  readonly entries: ReadonlyMap<string, readonly Term[]>;
}

export interface PlanArgs {
  imageSize: number;
  classes: number;
  /** Extra chain networks (stage lists after the default stem) whose blocks the table must price: the zoo models of the space. */
  extraNetworks?: readonly (readonly StageSpec[])[];
  /**
   * Enumerate every configuration of the space. Default: true. False profiles only `extraNetworks`
   * (MnasNet; a table that prices just those networks, in seconds instead of minutes).
   */
  enumerate?: boolean;
  /** PONAS only: profile just these layers (1-19) and candidates (0-11); a partial table for quick checks. Default: all. */
  slice?: { layers: readonly number[]; candidates: readonly number[] };
  /** NASNet: the macro to profile for. Default: the space's default macro (CIFAR search child, N = 2, F = 16). */
  cells?: NasnetLatencyMacro;
  /** NASNet: networks whose pieces the table must price (the zoo's cells); with `enumerate: false`, only these. */
  genotypes?: readonly NasnetGenotype[];
}

/** The NASNet macro with its defaults filled in (src/models/build.ts `DEFAULT_MACROS.nasnet`). */
export function nasnetMacroFor(cells: NasnetLatencyMacro | undefined): Required<NasnetLatencyMacro> {
  const d = DEFAULT_MACROS.nasnet as CellMacro;
  return withMacroDefaults(cells ?? { stem: d.stem, cellsPerStage: d.N, filters: d.F });
}

function isCellMacro(m: ChainMacro | CellMacro): m is CellMacro {
  return 'N' in m;
}

/** The chain macro of a chain part; a nasnet plan has none. */
export function chainMacroOf(m: ChainMacro | CellMacro): ChainMacro {
  if (isCellMacro(m)) throw new Error('latency profile: a chain part in a cell plan');
  return m;
}

export function chainMacroFor(space: LatencySpace, imageSize: number, classes: number): ChainMacro {
  return { ...(DEFAULT_MACROS[space] as ChainMacro), inputSize: imageSize, classes };
}

const shape3 = (s: Shape): [number, number, number] => [s.h, s.w, s.c];

/** The output shape of a part, from the analytic net (same layers as the tfjs build). */
export function partOutput(part: ProfilePart, macro: ChainMacro): Shape {
  const net = new CostNet();
  const [h, w, c] = part.input;
  const x = net.input(h, w, c);
  const b = part.build;
  if (b.kind === 'nasnet') throw new Error('latency profile: partOutput is for chain parts');
  if (b.kind === 'stem') return b.then.reduce((y, s, i) => chainStage(net, y, s, i, macro), chainStem(net, x, macro));
  if (b.kind === 'layer') return chainStage(net, x, b.stage, b.index, macro);
  return chainHead(net, x, macro);
}

class PlanBuilder {
  readonly parts = new Map<string, ProfilePart>();
  readonly entries = new Map<string, Term[]>();

  constructor(readonly macro: ChainMacro) {}

  add(part: ProfilePart): string {
    if (!this.parts.has(part.id)) this.parts.set(part.id, part);
    return part.id;
  }

  /** One layer of `stage` (repeats 1, the given stride) on input `input`; the skip as it is built. */
  layer(input: readonly [number, number, number], stage: StageSpec, stride: number, index: number): { id: string; out: Shape } {
    const cin = input[2];
    const skip = stage.skip === 'identity' && !(stride === 1 && cin === stage.out) ? 'none' : stage.skip;
    const one: StageSpec = { ...stage, repeats: 1, stride, skip };
    const part: ProfilePart = { id: `${input.join('x')}/${formatStage(one)}`, input, build: { kind: 'layer', stage: one, index } };
    return { id: this.add(part), out: partOutput(part, this.macro) };
  }

  /** A block (all its layers) on `input`: its first layer plus (repeats - 1) repeated layers. */
  block(key: string, input: readonly [number, number, number], stage: StageSpec, index: number): Shape {
    const first = this.layer(input, stage, stage.stride, index);
    const terms: Term[] = [{ part: first.id, times: 1 }];
    if (stage.repeats > 1) terms.push({ part: this.layer(shape3(first.out), stage, 1, index).id, times: stage.repeats - 1 });
    if (!this.entries.has(key)) this.entries.set(key, terms);
    return first.out;
  }

  head(key: string, input: readonly [number, number, number]): void {
    const id = this.add({ id: `${input.join('x')}/head`, input, build: { kind: 'head' } });
    if (!this.entries.has(key)) this.entries.set(key, [{ part: id, times: 1 }]);
  }

  stem(then: readonly StageSpec[]): { id: string; out: Shape } {
    const s = this.macro.inputSize;
    const part: ProfilePart = {
      id: `${s}x${s}x${this.macro.channels ?? 3}/stem${then.map((t) => `+${formatStage(t)}`).join('')}`,
      input: [s, s, 3],
      build: { kind: 'stem', then },
    };
    return { id: this.add(part), out: partOutput(part, this.macro) };
  }

  plan(space: LatencySpace, base: Term[]): ProfilePlan {
    return { space, macro: this.macro, parts: [...this.parts.values()], base, entries: this.entries };
  }
}

/** The stage a MnasNet block realises after `cin` channels, with the space's canonical skip. */
function mnasnetStage(i: number, b: MnasnetBlock, cin: number): StageSpec {
  const stride = at(MNASNET_SKELETON.strides, i, 'mnasnet block');
  const out = Math.round(at(MNASNET_SKELETON.filters, i, 'mnasnet block') * b.filterMult);
  const repeats = Math.max(1, at(MNASNET_SKELETON.layers, i, 'mnasnet block') + b.layerDelta);
  const identityUnusable = repeats === 1 && (stride !== 1 || cin !== out);
  return {
    type: b.op === 'conv' ? 'cn' : b.op === 'dconv' ? 'ds' : 'ir',
    repeats,
    kernel: b.kernel,
    stride,
    expansion: b.op === 'mbconv3' ? 3 : b.op === 'mbconv6' ? 6 : 1,
    out,
    se: b.se,
    skip: b.skip === 'identity' && identityUnusable ? 'none' : b.skip,
  };
}

function* mnasnetBlocks(): Generator<MnasnetBlock> {
  for (const op of MNASNET_OPS)
    for (const kernel of MNASNET_KERNELS)
      for (const se of MNASNET_SE)
        for (const skip of MNASNET_SKIPS)
          for (const filterMult of MNASNET_FILTER_MULTS) for (const layerDelta of MNASNET_LAYER_DELTAS) yield { op, kernel, se, skip, filterMult, layerDelta };
}

function mnasnetPlan(a: PlanArgs): ProfilePlan {
  const b = new PlanBuilder(chainMacroFor('mnasnet', a.imageSize, a.classes));
  const stem = b.stem([]);
  const stemC = MNASNET_SKELETON.stemFilters;
  // Spatial size before each block does not depend on any choice; channels do (previous block's width).
  let hw = [stem.out.h, stem.out.w] as const;
  let widths: number[] = [stemC];
  if (a.enumerate === false) widths = [];
  MNASNET_SKELETON.filters.forEach((_, i) => {
    let next: readonly [number, number] = hw;
    const outs = new Set<number>();
    for (const cin of widths) {
      for (const blk of mnasnetBlocks()) {
        const stage = mnasnetStage(i, blk, cin);
        const out = b.block(chainBlockKey(i, cin, stage), [hw[0], hw[1], cin], stage, i);
        next = [out.h, out.w];
        outs.add(stage.out);
      }
    }
    // With nothing enumerated, carry the spatial size on from a probe layer (it does not depend on widths).
    if (widths.length === 0) next = hw.map((d) => Math.ceil(d / at(MNASNET_SKELETON.strides, i, 'mnasnet block'))) as unknown as readonly [number, number];
    hw = next;
    widths = [...outs];
  });
  for (const cin of widths) b.head(chainHeadKey(cin), [hw[0], hw[1], cin]);
  for (const stages of a.extraNetworks ?? []) chainNetwork(b, stem.out, stemC, stages);
  return b.plan('mnasnet', [{ part: stem.id, times: 1 }]);
}

/** Adds the block and head keys of one whole chain network (a zoo model). */
function chainNetwork(b: PlanBuilder, afterStem: Shape, stemC: number, stages: readonly StageSpec[]): void {
  let x: [number, number, number] = [afterStem.h, afterStem.w, stemC];
  stages.forEach((stage, i) => {
    const out = b.block(chainBlockKey(i, x[2], stage), x, stage, i);
    x = [out.h, out.w, stage.out];
  });
  b.head(chainHeadKey(x[2]), x);
}

function ponasPlan(a: PlanArgs): ProfilePlan {
  const b = new PlanBuilder(chainMacroFor('ponas', a.imageSize, a.classes));
  // Base: the stem with the fixed first layer, and the head (fixed: the last layer always has 320 channels).
  const stem = b.stem([PONAS_FIXED_FIRST]);
  let x: [number, number, number] = shape3(stem.out);
  PONAS_SKELETON.forEach(({ out, stride }, l) => {
    let next = x;
    PONAS_CANDIDATES.forEach((cand, c) => {
      const stage: StageSpec = {
        type: 'ir',
        repeats: 1,
        kernel: cand.kernel,
        stride,
        expansion: cand.expansion,
        out,
        se: cand.se ? 0.25 : 0,
        skip: 'identity',
      };
      if (a.slice && !(a.slice.layers.includes(l + 1) && a.slice.candidates.includes(c))) {
        next = shape3(partOutput({ id: '', input: x, build: { kind: 'layer', stage, index: l + 1 } }, b.macro));
        return;
      }
      next = shape3(b.block(`layer${l + 1}=${c}`, x, stage, l + 1));
    });
    x = next;
  });
  const head = b.add({ id: `${x.join('x')}/head`, input: x, build: { kind: 'head' } });
  return b.plan('ponas', [
    { part: stem.id, times: 1 },
    { part: head, times: 1 },
  ]);
}

/** A key-independent name of a NASNet part, so equal pieces under different keys are timed once. */
function nasnetPartId(p: NasnetPart): string {
  const shape = p.input.join('x');
  switch (p.kind) {
    case 'stem':
      return `${shape}/stem`;
    case 'preamble':
      return `${shape}/preamble_x${p.stride}_f${p.filters}`;
    case 'op':
      return `${shape}/${p.op}_x${p.stride}_f${p.filters}`;
    case 'combine':
      return `${shape}/${p.combine}`;
    case 'reduce-output':
      return `${shape}/reduce_x${p.stride}_f${p.filters}`;
    case 'concat':
      return `${shape}/concat${p.pieces}`;
    case 'head':
      return `${shape}/head`;
  }
}

function nasnetPlan(a: PlanArgs): ProfilePlan {
  const m = nasnetMacroFor(a.cells);
  const parts = new Map<string, ProfilePart>();
  const entries = new Map<string, Term[]>();
  const addPart = (p: NasnetPart): string => {
    const id = nasnetPartId(p);
    if (!parts.has(id)) parts.set(id, { id, input: p.input, build: { kind: 'nasnet', part: p, macro: m, classes: a.classes } });
    return id;
  };
  const add = (kp: KeyedPart): void => {
    const id = addPart(kp.part);
    const had = entries.get(kp.key);
    // The scheme's promise: one key, one piece. Two pieces under one key would price one of them wrongly.
    if (had && had[0]?.part !== id) throw new Error(`latency profile: nasnet key ${kp.key} names two different pieces (${had[0]?.part} and ${id})`);
    if (!had) entries.set(kp.key, [{ part: id, times: 1 }]);
  };
  if (a.enumerate !== false) {
    const { ops, blocks } = nasnetSpace.grammar;
    const seen = new Set<string>();
    for (let normal = 1; normal <= 2 + 2 * blocks; normal++) {
      for (let reduction = 1; reduction <= 2 + 2 * blocks; reduction++) {
        const layout = nasnetLayout(m, a.imageSize, { normal, reduction });
        for (const site of layout.sites) {
          const sig = JSON.stringify(site);
          if (seen.has(sig)) continue;
          seen.add(sig);
          siteAllParts(site, ops, blocks).forEach(add);
        }
        add(headPart(layout.last));
      }
    }
  }
  for (const g of a.genotypes ?? []) nasnetNetworkParts(g, m, a.imageSize).forEach(add);
  const stem = addPart({ kind: 'stem', input: [a.imageSize, a.imageSize, 3] });
  return { space: 'nasnet', macro: cellMacroOf(m, a.imageSize, a.classes), cells: m, parts: [...parts.values()], base: [{ part: stem, times: 1 }], entries };
}

export function profilePlan(space: LatencySpace, a: PlanArgs): ProfilePlan {
  return space === 'mnasnet' ? mnasnetPlan(a) : space === 'ponas' ? ponasPlan(a) : nasnetPlan(a);
}

/**
 * The table from part timings (median ms): each entry is its parts' sum with the call overhead
 * taken off each part; `base` keeps one overhead, the one the whole network pays.
 */
export function assembleTable(plan: ProfilePlan, ms: ReadonlyMap<string, number>, overheadMs: number): { base: number; entries: Record<string, number> } {
  const sum = (terms: readonly Term[]): number =>
    terms.reduce((s, t) => {
      const v = ms.get(t.part);
      if (v === undefined) throw new Error(`latency profile: part ${t.part} was not measured`);
      return s + t.times * Math.max(0, v - overheadMs);
    }, 0);
  const entries: Record<string, number> = {};
  for (const [key, terms] of plan.entries) entries[key] = sum(terms);
  return { base: sum(plan.base) + overheadMs, entries };
}
