/**
 * Held-out check of a PNAS surrogate on NAS-Bench-201: Spearman rank correlation between its
 * predictions and the table's val12 on 500 cells the search never proposed.
 */
import { Rng } from '../common/rng.js';
import type { PnasSearch } from '../algorithms/pnas/pnas-search.js';
import { fromArchString, nb201Space, type Nb201Genotype } from '../space/nb201.js';
import { Surrogate, resolveSurrogateArgs, spearman, type SurrogateArgs } from '../algorithms/pnas/surrogates.js';
import { tokenizerFor } from '../algorithms/pnas/tokens.js';
import type { Nb201Table } from './nb201-table.js';

export function heldOutCorrelation(algo: PnasSearch<Nb201Genotype>, table: Nb201Table, seed: number, count = 500): number {
  const rng = Rng.seeded(`heldout/${seed}`);
  const stored = (algo.state().data as { trials: { genotype: { edges: string[] } }[] }).trials;
  const seen = new Set(stored.map((t) => t.genotype.edges.join(',')));
  const rows = rng
    .shuffle([...table.rows])
    .filter((r) => !seen.has(fromArchString(r.arch).edges.join(',')))
    .slice(0, count);
  const predicted = algo.predict(rows.map((r) => fromArchString(r.arch)));
  return spearman(
    predicted,
    rows.map((r) => r.val12),
  );
}

/**
 * Surrogate quality on its own: fit on `train` random cells (val12), Spearman on `test` other
 * random cells. Seeded, so repeatable.
 */
export function randomSplitCorrelation(table: Nb201Table, surrogate: SurrogateArgs, seed: number, train = 100, test = 500): number {
  const tok = tokenizerFor(nb201Space);
  const rows = Rng.seeded(`split/${seed}`).shuffle([...table.rows]);
  const fitRows = rows.slice(0, train);
  const evalRows = rows.slice(train, train + test);
  const s = new Surrogate(resolveSurrogateArgs(surrogate, tok.vocab, tok.length), Rng.seeded(`init/${seed}`));
  s.fit(
    fitRows.map((r) => tok.tokens(fromArchString(r.arch))),
    fitRows.map((r) => r.val12),
    Rng.seeded(`fit/${seed}`),
  );
  return spearman(
    s.predict(evalRows.map((r) => tok.tokens(fromArchString(r.arch)))),
    evalRows.map((r) => r.val12),
  );
}
