/**
 * The PNAS surrogate panel: for every trial a beam proposed, the accuracy the surrogate predicted
 * when it chose the trial against the accuracy the trial measured, one colour per beam, with the
 * y = x line and each beam's rank correlation (Spearman) as the search recorded it
 * (src/algorithms/pnas/pnas-search.ts). Pure: the stored state in, a model and HTML out.
 */
import type { AlgorithmState } from '../algorithms/types.js';
import { PNAS } from '../algorithms/pnas/definition.js';
import type { BeamCorrelation } from '../algorithms/pnas/pnas-search.js';
import { esc } from './html.js';
import { lineChart, type Series } from './svg-charts.js';

export interface SurrogatePoint {
  trialId: string;
  /** The round whose beam proposed it; undefined in states written before beams were kept. */
  beam?: number;
  predicted: number;
  measured: number;
}

export interface SurrogateModel {
  points: SurrogatePoint[];
  correlations: BeamCorrelation[];
  /** Predictions whose trial has no measurement yet (running or failed). */
  unmeasured: number;
}

interface PnasData {
  predicted?: Record<string, unknown>;
  beamOf?: Record<string, unknown>;
  correlations?: unknown[];
}

interface StoredTrialLike {
  id?: unknown;
  status?: unknown;
  score?: unknown;
}

/** Predicted and measured accuracy per beam from a PNAS state, or undefined for other algorithms. */
export function surrogateModel(state: AlgorithmState | undefined): SurrogateModel | undefined {
  if (!state || state.algorithm !== PNAS) return undefined;
  const data = state.data as { trials?: unknown; algo?: unknown } | null;
  const algo = (data?.algo ?? {}) as PnasData;
  const measured = new Map<string, number>();
  for (const t of Array.isArray(data?.trials) ? (data.trials as StoredTrialLike[]) : []) {
    if (typeof t.id === 'string' && t.status === 'succeeded' && typeof t.score === 'number') measured.set(t.id, t.score);
  }
  const points: SurrogatePoint[] = [];
  let unmeasured = 0;
  for (const [trialId, predicted] of Object.entries(algo.predicted ?? {})) {
    if (typeof predicted !== 'number') continue;
    const m = measured.get(trialId);
    if (m === undefined) {
      unmeasured++;
      continue;
    }
    const beam = algo.beamOf?.[trialId];
    points.push({ trialId, predicted, measured: m, ...(typeof beam === 'number' ? { beam } : {}) });
  }
  const correlations = (algo.correlations ?? []).filter(
    (c): c is BeamCorrelation => typeof (c as BeamCorrelation | null)?.round === 'number' && typeof (c as BeamCorrelation).spearman === 'number',
  );
  return { points, correlations, unmeasured };
}

/** Colours cycle after this many beams (classes beam-0 .. beam-5 in the page's stylesheet). */
const BEAM_COLOURS = 6;

export function surrogatePanel(m: SurrogateModel): string {
  const head = '<h2>PNAS surrogate: predicted against measured</h2>';
  if (m.points.length === 0) {
    const why =
      m.unmeasured > 0
        ? `${m.unmeasured} predicted trials have no result yet`
        : 'no beam chosen by the surrogate has finished yet (the first round trains without predictions)';
    return `${head}<p class="gap" id="surrogate">${esc(why)}</p>`;
  }
  const beams = [...new Set(m.points.map((p) => p.beam))].sort((a, b) => (a ?? -1) - (b ?? -1));
  const series: Series[] = beams.map((beam, i) => ({
    name: beam === undefined ? 'beam not recorded' : `beam of round ${beam}`,
    cls: `beam-${i % BEAM_COLOURS}`,
    points: m.points
      .filter((p) => p.beam === beam)
      .map((p) => ({ x: p.predicted, y: p.measured, title: `${p.trialId}: predicted ${p.predicted.toFixed(2)}, measured ${p.measured.toFixed(2)}` })),
  }));
  const chart = lineChart({ id: 'surrogate', xLabel: 'predicted val accuracy %', yLabel: 'measured val accuracy %', series, diagonal: true, dotsOnly: true });
  const rows = m.correlations
    .map(
      (c) =>
        `<tr><td class="num">${c.round}</td><td class="num">${c.blocks ?? ''}</td><td class="num">${c.size}</td><td class="num">${esc(c.spearman.toFixed(3))}</td></tr>`,
    )
    .join('');
  const table = rows
    ? `<table id="surrogate-beams"><thead><tr><th>round</th><th>blocks</th><th>trials</th><th>Spearman ρ</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="gap">no beam has two finished trials yet: no rank correlation</p>';
  return `${head}<p class="meta">Each dot is a trial a surrogate-chosen beam proposed; on the diagonal the surrogate predicted exactly. Only the ranking matters to the search.${m.unmeasured ? ` ${m.unmeasured} predicted trials have no result yet.` : ''}</p><div class="charts">${chart}${table}</div>`;
}
