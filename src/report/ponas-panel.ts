/**
 * The PONAS panel: the accuracy table (layer x candidate, src/algorithms/ponas/ponas-search.ts) as
 * a heat map, with the path the selection picks (the best summed table accuracy within the
 * budget, src/algorithms/ponas/select.ts) outlined and joined across the layers. The table is the
 * one in the latest algorithm state: the supernet's for a one-shot search, else filled from the
 * evaluator's results. Pure: the stored state in, a model and HTML out.
 */
import type { AlgorithmState } from '../algorithms/types.js';
import { PONAS } from '../algorithms/ponas/definition.js';
import { bestUnder, paretoFront } from '../algorithms/ponas/select.js';
import { NB201_EDGES, NB201_OPS } from '../space/nb201.js';
import { PONAS_CANDIDATES } from '../space/ponas.js';
import { esc, px } from './html.js';

export interface PonasModel {
  space: string;
  layers: string[];
  candidates: string[];
  /** table[l][c]: accuracy, null where not measured (or failed). */
  table: (number | null)[][];
  /** Candidate per layer of the selected path, when the table allows one. */
  pick?: number[];
  pickValue?: number;
  pickCost?: number;
  budget: number | null;
  /** Why there is no pick, when there is none. */
  noPick?: string;
  filled: number;
  cells: number;
}

interface PonasData {
  config?: { costs?: unknown; budget?: unknown };
  reference?: unknown;
  table?: unknown;
}

const isTable = (t: unknown): t is (number | null)[][] =>
  Array.isArray(t) && t.length > 0 && t.every((row) => Array.isArray(row) && row.every((v) => v === null || typeof v === 'number'));

function labels(space: string, layers: number, width: number): { layers: string[]; candidates: string[] } {
  const nb = space === 'nb201' && layers === NB201_EDGES.length;
  return {
    layers: Array.from({ length: layers }, (_, l) => {
      const edge = nb ? NB201_EDGES[l] : undefined;
      return edge ? `edge ${edge[0]}→${edge[1]}` : `layer ${l + 1}`;
    }),
    candidates: Array.from({ length: width }, (_, c) => {
      const block = space === 'ponas' ? PONAS_CANDIDATES[c] : undefined;
      if (block) return `e${block.expansion}k${block.kernel}${block.se ? 'se' : ''}`;
      return (nb ? NB201_OPS[c] : undefined) ?? `#${c}`;
    }),
  };
}

/** The table and selected path of a PONAS state, or undefined for other algorithms. */
export function ponasModel(state: AlgorithmState | undefined): PonasModel | undefined {
  if (!state || state.algorithm !== PONAS) return undefined;
  const algo = ((state.data as { algo?: unknown } | null)?.algo ?? {}) as PonasData;
  if (!isTable(algo.table)) return undefined;
  const table = algo.table;
  const width = Math.max(...table.map((r) => r.length));
  const budget = typeof algo.config?.budget === 'number' ? algo.config.budget : null;
  const costs = isTable(algo.config?.costs) ? (algo.config.costs as number[][]) : table.map((r) => r.map(() => 0));
  const reference = Array.isArray(algo.reference) ? (algo.reference as unknown[]) : [];
  const filled = table.flat().filter((v) => v !== null).length;
  const base: PonasModel = { space: state.space, ...labels(state.space, table.length, width), table, budget, filled, cells: table.flat().length };
  if (filled === 0) return { ...base, noPick: 'no table entry is measured yet' };
  // As the search selects: a layer with no measured candidate keeps its reference choice.
  const usable = table.map((row, l) => (row.every((v) => v === null) ? row.map((_, c) => (c === reference[l] ? 0 : null)) : row));
  try {
    const pick = bestUnder(paretoFront(usable, costs), budget ?? Infinity);
    if (!pick) return { ...base, noPick: `no path fits the budget ${budget}` };
    return { ...base, pick: pick.choice, pickValue: pick.value, pickCost: pick.cost };
  } catch (err) {
    return { ...base, noPick: err instanceof Error ? err.message : String(err) };
  }
}

const CW = 66;
const CH = 24;
const LEFT = 96;
const TOP = 64;

/** Light to dark blue over [lo, hi]. */
function shade(v: number, lo: number, hi: number): string {
  const t = hi > lo ? (v - lo) / (hi - lo) : 1;
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(239, 33)},${mix(243, 102)},${mix(255, 172)})`;
}

export function ponasPanel(m: PonasModel): string {
  const values = m.table.flat().filter((v): v is number => v !== null);
  const [lo, hi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  // Room on the right for the last candidate's slanted label.
  const width = LEFT + m.candidates.length * CW + 60;
  const height = TOP + m.layers.length * CH + 12;
  const parts: string[] = [];
  m.candidates.forEach((c, j) => {
    parts.push(`<text class="tick" transform="translate(${px(LEFT + j * CW + CW / 2 - 6)} ${TOP - 6}) rotate(-35)" text-anchor="start">${esc(c)}</text>`);
  });
  m.table.forEach((row, l) => {
    const y = TOP + l * CH;
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${y + 16}" text-anchor="end">${esc(m.layers[l] ?? '')}</text>`);
    for (let c = 0; c < m.candidates.length; c++) {
      const v = row[c] ?? null;
      const picked = m.pick?.[l] === c;
      const fill = v === null ? '' : ` style="fill:${shade(v, lo, hi)}"`;
      const title = `${m.layers[l] ?? ''}, ${m.candidates[c] ?? ''}: ${v === null ? 'not measured' : v.toFixed(2)}${picked ? ' (selected)' : ''}`;
      parts.push(
        `<rect class="heat${v === null ? ' empty' : ''}${picked ? ' picked' : ''}" data-layer="${l}" data-candidate="${c}" x="${LEFT + c * CW}" y="${y}" width="${CW}" height="${CH}"${fill}><title>${esc(title)}</title></rect>`,
      );
      const dark = v !== null && hi > lo && (v - lo) / (hi - lo) > 0.55;
      parts.push(
        `<text class="heat-label${dark ? ' dark' : ''}" x="${LEFT + c * CW + CW / 2}" y="${y + 16}" text-anchor="middle">${v === null ? '–' : esc(v.toFixed(1))}</text>`,
      );
    }
  });
  if (m.pick) {
    const d = m.pick.map((c, l) => `${l === 0 ? 'M' : 'L'}${px(LEFT + c * CW + CW / 2)} ${px(TOP + l * CH + CH / 2)}`).join(' ');
    parts.push(`<path id="ponas-path" class="path" d="${d}"/>`);
  }
  const svgText = `<svg id="ponas-heatmap" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="PONAS accuracy table with the selected path">${parts.join('')}</svg>`;
  const pick = m.pick
    ? `<p id="ponas-pick">Selected path: ${m.pick.map((c, l) => `${esc(m.layers[l] ?? '')} <code>${esc(m.candidates[c] ?? c)}</code>`).join(', ')}; summed table accuracy ${esc((m.pickValue ?? 0).toFixed(2))}${
        m.budget !== null ? `, cost ${esc((m.pickCost ?? 0).toFixed(3))} within the budget ${esc(m.budget)}` : ' (no budget: the best candidate of each layer)'
      }.</p>`
    : `<p class="gap" id="ponas-pick">no selected path: ${esc(m.noPick ?? 'unknown')}</p>`;
  return `<h2>PONAS accuracy table</h2><p class="meta">${m.filled} of ${m.cells} entries measured (val accuracy %, darker is higher; – not measured or failed).</p>${svgText}${pick}`;
}
