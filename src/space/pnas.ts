/**
 * The PNAS search space (Liu et al. 2018, "Progressive Neural Architecture Search", Sec. 3.1): one
 * cell type of B blocks (B = 1..5 during the progressive search), 8 operations, addition only.
 * The same cell is used with stride 2 where the network reduces resolution.
 *
 * Genotype JSON: `{ "blocks": [block, ...] }` with the cell grammar of `cell.ts`
 * (`combine` may be omitted; it is always "add").
 *
 * Progressive search helpers: `expandPnasCell` lists every distinct cell with one more block
 * (deduplicated by the add symmetry, so 1-block cells number 136 = C(16+1, 2), Liu et al.
 * Sec. 3.2), and `pnasTokens` gives the 4b-token sequence the surrogate LSTM reads.
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
  type CellBlock,
  type CellGenotype,
  type CellGrammar,
} from './cell.js';
import { GenotypeError, type SearchSpace } from './types.js';

/** The 8 operations of Liu et al. Sec. 3.1 (order = token id). */
export const PNAS_OPS = ['sep_3x3', 'sep_5x5', 'sep_7x7', 'conv_1x7_7x1', 'identity', 'avg_pool_3x3', 'max_pool_3x3', 'dil_conv_3x3'] as const;

export type PnasGenotype = CellGenotype;

export interface PnasSpaceArgs {
  /** Blocks per cell (1..5 in the paper's progression). Default: 5. */
  blocks?: number;
}

export type PnasSpace = SearchSpace<PnasGenotype> & { readonly grammar: CellGrammar; readonly blocks: number };

const spaces = new Map<number, PnasSpace>();

/** The space of PNAS cells with exactly `blocks` blocks (memoised per block count). */
export function createPnasSpace(args: PnasSpaceArgs = {}): PnasSpace {
  const blocks = args.blocks ?? 5;
  if (!Number.isInteger(blocks) || blocks < 1) throw new RangeError(`pnas blocks: expected an integer >= 1; received ${blocks}`);
  const cached = spaces.get(blocks);
  if (cached) return cached;
  const grammar: CellGrammar = { ops: PNAS_OPS, combines: ['add'], blocks };
  const decisions = cellDecisions(grammar, '');
  const canonical = (g: PnasGenotype): PnasGenotype => canonicalCell(g, grammar);
  const hash = (g: PnasGenotype): string => stableHash(`pnas/${canonicalJson(serializeCell(canonicalCell(g, grammar)))}`);
  const space: PnasSpace = {
    name: 'pnas',
    grammar,
    blocks,
    parse: (json) => parseCell(json, grammar, ''),
    serialize: serializeCell,
    canonical,
    hash,
    describe: describeCell,
    sample: (rng: Rng) => sampleCell(grammar, rng),
    mutate(g, rng) {
      const before = hash(g);
      for (let attempt = 0; attempt < 100; attempt++) {
        const next = mutateCell(g, grammar, rng);
        if (hash(next) !== before) return next;
      }
      throw new Error('pnas mutate: no distinct neighbour found in 100 attempts');
    },
    size: () => cellCount(grammar),
    decisions: () => decisions,
    encode: (g) => encodeCell(g, grammar),
    decode(seq) {
      if (seq.length !== decisions.length) throw new GenotypeError('sequence', `expected ${decisions.length} decisions; received ${seq.length}`);
      return decodeCell(seq, 0, grammar, '')[0];
    },
  };
  spaces.set(blocks, space);
  return space;
}

/** The paper's final space: B = 5. */
export const pnasSpace: PnasSpace = createPnasSpace();

/**
 * Every distinct cell obtained by appending one block to `cell` (canonical forms, in a stable
 * order). `expandPnasCell({ blocks: [] })` gives the 136 one-block cells.
 */
export function expandPnasCell(cell: PnasGenotype): PnasGenotype[] {
  const b = cell.blocks.length;
  const grammar: CellGrammar = { ops: PNAS_OPS, combines: ['add'], blocks: b + 1 };
  const seen = new Set<string>();
  const out: PnasGenotype[] = [];
  for (let i0 = 0; i0 < b + 2; i0++) {
    for (let i1 = 0; i1 < b + 2; i1++) {
      for (const o0 of PNAS_OPS) {
        for (const o1 of PNAS_OPS) {
          const block: CellBlock = { inputs: [i0, i1], ops: [o0, o1], combine: 'add' };
          const next = canonicalCell({ blocks: [...cell.blocks, block] }, grammar);
          const key = canonicalJson(serializeCell(next));
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(next);
        }
      }
    }
  }
  return out;
}

/** All distinct one-block cells (the first step of the progressive search). */
export function initialPnasCells(): PnasGenotype[] {
  return expandPnasCell({ blocks: [] });
}

/**
 * The surrogate's token sequence: per block [input1, input2, op1, op2] where inputs use ids
 * 0..B+1 (state indices) and ops use ids 0..7 (PNAS_OPS); the two vocabularies are separate
 * (Liu et al. Sec. 3.3 uses separate embeddings).
 */
export function pnasTokens(cell: PnasGenotype): { inputs: number[]; ops: number[]; sequence: number[] } {
  const inputs: number[] = [];
  const ops: number[] = [];
  const sequence: number[] = [];
  for (const b of cell.blocks) {
    const o0 = PNAS_OPS.indexOf(b.ops[0] as (typeof PNAS_OPS)[number]);
    const o1 = PNAS_OPS.indexOf(b.ops[1] as (typeof PNAS_OPS)[number]);
    inputs.push(b.inputs[0], b.inputs[1]);
    ops.push(o0, o1);
    sequence.push(b.inputs[0], b.inputs[1], o0, o1);
  }
  return { inputs, ops, sequence };
}

/** PNASNet-5 (Liu et al. Fig. 1; TF-slim `PNasNetNormalCell`, which concatenates b0..b4). */
export const PNASNET_5: PnasGenotype = {
  blocks: [
    { inputs: [1, 1], ops: ['sep_5x5', 'max_pool_3x3'], combine: 'add' },
    { inputs: [0, 0], ops: ['sep_7x7', 'max_pool_3x3'], combine: 'add' },
    { inputs: [0, 0], ops: ['sep_5x5', 'sep_3x3'], combine: 'add' },
    { inputs: [4, 0], ops: ['sep_3x3', 'max_pool_3x3'], combine: 'add' },
    { inputs: [1, 0], ops: ['sep_3x3', 'identity'], combine: 'add' },
  ],
  concat: [2, 3, 4, 5, 6],
};
