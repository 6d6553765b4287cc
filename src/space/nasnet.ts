/**
 * The NASNet search space (Zoph et al. 2018, arXiv 1707.07012, Sec. 3 and Fig. 3): a normal cell and
 * a reduction cell, each of B blocks (default 5) built from the 13 operations listed in Sec. 3,
 * combined by element-wise addition or concatenation along filters. The controller emits
 * 2 x 5B decisions, normal cell first, then reduction cell.
 *
 * Genotype JSON: `{ "normal": cell, "reduction": cell }` with the cell grammar of `cell.ts`.
 * Operation names (the first six are the ones NASNet-A uses, spelled as in
 * shared/reference/architectures.json):
 *   identity, sep_3x3, sep_5x5, sep_7x7, avg_pool_3x3, max_pool_3x3, max_pool_5x5, max_pool_7x7,
 *   conv_1x1, conv_3x3, conv_1x3_3x1, conv_1x7_7x1, dil_conv_3x3
 */
import { stableHash, canonicalJson } from '../common/hash.js';
import type { Rng } from '../common/rng.js';
import {
  canonicalCell,
  cellCount,
  cellDecisions,
  decodeCell,
  describeCell,
  encodeCell,
  mutateCell,
  parseCell,
  sampleCell,
  serializeCell,
  type CellCombine,
  type CellGenotype,
  type CellGrammar,
} from './cell.js';
import { GenotypeError, type SearchSpace } from './types.js';

/** The 13 operations of Zoph et al. Sec. 3 (order = controller softmax index). */
export const NASNET_OPS = [
  'identity',
  'conv_1x3_3x1',
  'conv_1x7_7x1',
  'dil_conv_3x3',
  'avg_pool_3x3',
  'max_pool_3x3',
  'max_pool_5x5',
  'max_pool_7x7',
  'conv_1x1',
  'conv_3x3',
  'sep_3x3',
  'sep_5x5',
  'sep_7x7',
] as const;

export interface NasnetGenotype {
  readonly normal: CellGenotype;
  readonly reduction: CellGenotype;
}

export interface NasnetSpaceArgs {
  /** Blocks per cell. Default: 5. */
  blocks?: number;
  /** Operation vocabulary. Default: NASNET_OPS. */
  ops?: readonly string[];
  /** Allowed combiners. Default: ['add', 'concat']. */
  combines?: readonly CellCombine[];
}

export type NasnetSpace = SearchSpace<NasnetGenotype> & { readonly grammar: CellGrammar };

export function createNasnetSpace(args: NasnetSpaceArgs = {}): NasnetSpace {
  const blocks = args.blocks ?? 5;
  if (!Number.isInteger(blocks) || blocks < 1) throw new RangeError(`nasnet blocks: expected an integer >= 1; received ${blocks}`);
  const grammar: CellGrammar = { ops: args.ops ?? NASNET_OPS, combines: args.combines ?? ['add', 'concat'], blocks };
  const decisions = [...cellDecisions(grammar, 'normal.'), ...cellDecisions(grammar, 'reduction.')];
  const canonical = (g: NasnetGenotype): NasnetGenotype => ({
    normal: canonicalCell(g.normal, grammar),
    reduction: canonicalCell(g.reduction, grammar),
  });
  const serialize = (g: NasnetGenotype): unknown => ({ normal: serializeCell(g.normal), reduction: serializeCell(g.reduction) });
  const hash = (g: NasnetGenotype): string => stableHash(`nasnet/${canonicalJson(serialize(canonical(g)))}`);
  return {
    name: 'nasnet',
    grammar,
    parse(json: unknown): NasnetGenotype {
      if (json === null || typeof json !== 'object') {
        throw new GenotypeError('genotype', `expected an object {normal, reduction}; received ${JSON.stringify(json)}`);
      }
      const o = json as Record<string, unknown>;
      return { normal: parseCell(o.normal, grammar, 'normal'), reduction: parseCell(o.reduction, grammar, 'reduction') };
    },
    serialize,
    canonical,
    hash,
    describe: (g) => `normal[${describeCell(g.normal)}] reduction[${describeCell(g.reduction)}]`,
    sample: (rng: Rng) => ({ normal: sampleCell(grammar, rng), reduction: sampleCell(grammar, rng) }),
    mutate(g, rng) {
      const before = hash(g);
      for (let attempt = 0; attempt < 100; attempt++) {
        const which = rng.int(2) === 0 ? 'normal' : 'reduction';
        const next = { ...g, [which]: mutateCell(g[which], grammar, rng) };
        if (hash(next) !== before) return next;
      }
      throw new Error('nasnet mutate: no distinct neighbour found in 100 attempts');
    },
    size: () => cellCount(grammar) * cellCount(grammar),
    decisions: () => decisions,
    encode: (g) => [...encodeCell(g.normal, grammar), ...encodeCell(g.reduction, grammar)],
    decode(seq) {
      if (seq.length !== decisions.length) throw new GenotypeError('sequence', `expected ${decisions.length} decisions; received ${seq.length}`);
      const [normal, p] = decodeCell(seq, 0, grammar, 'normal');
      const [reduction] = decodeCell(seq, p, grammar, 'reduction');
      return { normal, reduction };
    },
  };
}

/** The paper's space: B = 5, 13 operations, add or concat. */
export const nasnetSpace: NasnetSpace = createNasnetSpace();

/**
 * NASNet-A (Zoph et al. Fig. 4; TF-slim `NasNetANormalCell` / `NasNetAReductionCell`), with
 * TF-slim's concatenation lists (`used_hiddenstates`): normal h_i-1, b0..b4; reduction b1..b4.
 */
export const NASNET_A: NasnetGenotype = {
  normal: {
    blocks: [
      { inputs: [0, 1], ops: ['sep_5x5', 'sep_3x3'], combine: 'add' },
      { inputs: [1, 1], ops: ['sep_5x5', 'sep_3x3'], combine: 'add' },
      { inputs: [0, 1], ops: ['avg_pool_3x3', 'identity'], combine: 'add' },
      { inputs: [1, 1], ops: ['avg_pool_3x3', 'avg_pool_3x3'], combine: 'add' },
      { inputs: [0, 0], ops: ['sep_3x3', 'identity'], combine: 'add' },
    ],
    concat: [1, 2, 3, 4, 5, 6],
  },
  reduction: {
    blocks: [
      { inputs: [0, 1], ops: ['sep_5x5', 'sep_7x7'], combine: 'add' },
      { inputs: [0, 1], ops: ['max_pool_3x3', 'sep_7x7'], combine: 'add' },
      { inputs: [0, 1], ops: ['avg_pool_3x3', 'sep_5x5'], combine: 'add' },
      { inputs: [3, 2], ops: ['identity', 'avg_pool_3x3'], combine: 'add' },
      { inputs: [2, 0], ops: ['sep_3x3', 'max_pool_3x3'], combine: 'add' },
    ],
    concat: [3, 4, 5, 6],
  },
};
