/**
 * The progressive evaluation schedule of PONAS (Huang & Chu 2020, progressive fine-tuning stage):
 * the accuracy table is filled one layer (row) at a time, in a fixed layer order; every candidate of
 * a row is evaluated with the other layers held at a context architecture, and the row must be
 * complete before the next one starts, because the next row's context uses this row's winner.
 */
import { at } from '../../common/indexing.js';

/** Cells still to evaluate: the unfilled candidates of the first incomplete layer in `order`. */
export function nextEvaluations(filled: readonly (readonly boolean[])[], order: readonly number[]): { layer: number; candidates: number[] } | undefined {
  for (const layer of order) {
    const candidates = at(filled, layer, 'layer').flatMap((f, c) => (f ? [] : [c]));
    if (candidates.length > 0) return { layer, candidates };
  }
  return undefined;
}

/**
 * The architecture used to evaluate (layer, candidate): finished layers take their best candidate
 * (by the table), unfinished ones keep the reference choice.
 */
export function contextFor(
  table: readonly (readonly (number | null)[])[],
  complete: readonly boolean[],
  reference: readonly number[],
  layer: number,
  candidate: number,
): number[] {
  return reference.map((ref, l) => {
    if (l === layer) return candidate;
    if (!complete[l]) return ref;
    return argmax(at(table, l, 'layer')) ?? ref;
  });
}

export function argmax(row: readonly (number | null)[]): number | undefined {
  let best: number | undefined;
  row.forEach((v, i) => {
    if (v !== null && (best === undefined || v > (row[best] as number))) best = i;
  });
  return best;
}
