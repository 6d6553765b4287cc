/**
 * The PNAS space as a progressive space (Liu et al. 2018, Sec. 3.2): cells of 1..B blocks in one
 * space, each operation dispatched to the fixed-B space of the cell's own length, plus the
 * progression (1-block cells, one-block expansions, the 4b surrogate tokens of Sec. 3.3 with
 * separate input and op vocabularies).
 */
import { createPnasSpace, expandPnasCell, initialPnasCells, pnasTokens, PNAS_OPS, type PnasGenotype } from '../../space/pnas.js';
import { GenotypeError } from '../../space/types.js';
import type { Progression, ProgressiveSpace } from './tokens.js';

export interface PnasProgressiveArgs {
  /** Final block count B. Default: 5 (PNAS). */
  maxBlocks?: number;
}

export function pnasProgressiveSpace(args: PnasProgressiveArgs = {}): ProgressiveSpace<PnasGenotype> {
  const maxBlocks = args.maxBlocks ?? 5;
  const full = createPnasSpace({ blocks: maxBlocks });
  const sized = (g: PnasGenotype) => {
    const b = g.blocks.length;
    if (b < 1 || b > maxBlocks) throw new GenotypeError('blocks', `expected 1..${maxBlocks} blocks; received ${b}`);
    return createPnasSpace({ blocks: b });
  };
  // Inputs are states 0..B+1 (tokens 1..B+2); ops follow (tokens B+3 ..).
  const inputTokens = maxBlocks + 2;
  const progression: Progression<PnasGenotype> = {
    maxBlocks,
    vocab: 1 + inputTokens + PNAS_OPS.length,
    maxTokens: 4 * maxBlocks,
    blocks: (g) => g.blocks.length,
    initial: () => initialPnasCells(),
    expand: (g) => (g.blocks.length >= maxBlocks ? [] : expandPnasCell(g)),
    tokens: (g) => pnasTokens(g).sequence.map((v, i) => (i % 4 < 2 ? 1 + v : 1 + inputTokens + v)),
  };
  return {
    ...full,
    name: 'pnas',
    progression,
    parse(json) {
      const n = (json as { blocks?: unknown[] } | null)?.blocks?.length ?? 0;
      if (n < 1 || n > maxBlocks) throw new GenotypeError('blocks', `expected 1..${maxBlocks} blocks; received ${n}`);
      return createPnasSpace({ blocks: n }).parse(json);
    },
    canonical: (g) => sized(g).canonical(g),
    hash: (g) => sized(g).hash(g),
    mutate: (g, rng) => sized(g).mutate(g, rng),
    encode: (g) => sized(g).encode(g),
  };
}
