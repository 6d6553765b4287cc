/**
 * Token views of genotypes for the PNAS surrogates, and the optional progression a space offers.
 *
 * A space with a `progression` supports the progressive search of Liu et al. 2018 (Sec. 3.2):
 * cells grow one block at a time. Without one, the surrogate reads the controller decision
 * sequence: token = 1 + (offset of the decision's kind) + choice, token 0 being padding.
 */
import { at } from '../../common/indexing.js';
import type { SearchSpace } from '../../space/types.js';

export interface Progression<G> {
  /** Largest number of blocks (B). */
  readonly maxBlocks: number;
  /** Surrogate vocabulary size including the padding token 0. */
  readonly vocab: number;
  /** Tokens of a B-block cell (the longest sequence). */
  readonly maxTokens: number;
  blocks(genotype: G): number;
  /** All distinct 1-block cells. */
  initial(): G[];
  /** Every distinct cell with one more block. */
  expand(genotype: G): G[];
  /** Token ids in 1..vocab-1. */
  tokens(genotype: G): number[];
}

export type ProgressiveSpace<G> = SearchSpace<G> & { readonly progression: Progression<G> };

export function progressionOf<G>(space: SearchSpace<G>): Progression<G> | undefined {
  return (space as Partial<ProgressiveSpace<G>>).progression;
}

export interface Tokenizer<G> {
  readonly vocab: number;
  readonly length: number;
  tokens(genotype: G): number[];
}

export function tokenizerFor<G>(space: SearchSpace<G>): Tokenizer<G> {
  const progression = progressionOf(space);
  if (progression) return { vocab: progression.vocab, length: progression.maxTokens, tokens: (g) => progression.tokens(g) };
  const decisions = space.decisions();
  const offsets = new Map<string, number>();
  let vocab = 1;
  for (const d of decisions) {
    const width = Math.max(...decisions.filter((x) => x.kind === d.kind).map((x) => x.choices));
    if (!offsets.has(d.kind)) {
      offsets.set(d.kind, vocab);
      vocab += width;
    }
  }
  const kindOffsets = decisions.map((d) => offsets.get(d.kind) as number);
  return { vocab, length: decisions.length, tokens: (g) => space.encode(g).map((v, i) => at(kindOffsets, i, 'decision') + v) };
}
