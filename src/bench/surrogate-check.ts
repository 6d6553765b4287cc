/**
 * Held-out check of a PNAS surrogate on NAS-Bench-201: Spearman rank correlation between its
 * predictions and the table's val12 on 500 cells the search never proposed.
 */
import { Rng } from '../common/rng.js';
import type { PnasSearch } from '../algorithms/pnas/pnas-search.js';
import { fromArchString, type Nb201Genotype } from '../space/nb201.js';
import { spearman } from '../algorithms/pnas/surrogates.js';
import type { Nb201Table } from './nb201-table.js';

export function heldOutCorrelation(algo: PnasSearch<Nb201Genotype>, table: Nb201Table, seed: number, count = 500): number {
  const rng = Rng.seeded(`heldout/${seed}`);
  const stored = (algo.state().data as { trials: { genotype: { edges: string[] } }[] }).trials;
  const seen = new Set(stored.map((t) => t.genotype.edges.join(',')));
  const rows = rng.shuffle([...table.rows]).filter((r) => !seen.has(fromArchString(r.arch).edges.join(','))).slice(0, count);
  const predicted = algo.predict(rows.map((r) => fromArchString(r.arch)));
  return spearman(predicted, rows.map((r) => r.val12));
}
