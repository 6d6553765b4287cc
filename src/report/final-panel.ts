/**
 * The final-training panel of the search report (spec `final`): each architecture the final stage
 * trained again, its accuracy at the search size beside its accuracy at the final size, and how
 * much larger the final network is. A final trial's source is the search trial with the same
 * genotype (an algorithm never proposes an architecture twice; with repeats, the best one).
 * Pure: no I/O.
 */
import { isFinalTrialId } from '../common/ids.js';
import { canonicalJson } from '../common/hash.js';
import { searchAccuracy } from '../api/trial-result.js';
import type { TrialRecord } from '../search/trial-records.js';
import { esc } from './html.js';

export interface FinalRow {
  trialId: string;
  sourceTrialId?: string;
  /** Validation accuracy (percent) of the source in the search, and of the final training. */
  searchAccuracy?: number;
  finalAccuracy?: number;
  finalTestAccuracy?: number;
  searchParams?: number;
  finalParams?: number;
}

const params = (r: TrialRecord): number | undefined => (r.result?.kind === 'trained' ? r.result.params : undefined);
const accuracy = (r: TrialRecord): number | undefined => (r.result && r.result.kind !== 'ponas-supernet' ? searchAccuracy(r.result.valAccuracy) : undefined);

export function finalRows(trials: readonly TrialRecord[]): FinalRow[] {
  const search = trials.filter((t) => !isFinalTrialId(t.trialId) && t.genotype !== undefined);
  return trials
    .filter((t) => isFinalTrialId(t.trialId))
    .map((f) => {
      const key = canonicalJson(f.genotype);
      const source = search
        .filter((s) => canonicalJson(s.genotype) === key)
        .sort((a, b) => (accuracy(b) ?? -1) - (accuracy(a) ?? -1))
        .at(0);
      const row: FinalRow = { trialId: f.trialId };
      const finalAccuracy = accuracy(f);
      if (finalAccuracy !== undefined) row.finalAccuracy = finalAccuracy;
      if (f.result?.kind === 'trained' && f.result.testAccuracy !== undefined) row.finalTestAccuracy = searchAccuracy(f.result.testAccuracy);
      const finalParams = params(f);
      if (finalParams !== undefined) row.finalParams = finalParams;
      if (source) {
        row.sourceTrialId = source.trialId;
        const a = accuracy(source);
        if (a !== undefined) row.searchAccuracy = a;
        const p = params(source);
        if (p !== undefined) row.searchParams = p;
      }
      return row;
    });
}

const pct = (x: number | undefined): string => (x === undefined ? '-' : `${x.toFixed(2)}%`);
const count = (x: number | undefined): string => (x === undefined ? '-' : x.toLocaleString('en-US'));

/** The panel's HTML, or nothing when the search has no final stage. */
export function finalPanel(trials: readonly TrialRecord[]): string {
  const rows = finalRows(trials);
  if (rows.length === 0) return '';
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.trialId)}</td><td>${esc(r.sourceTrialId ?? 'unknown')}</td><td>${pct(r.searchAccuracy)}</td><td>${pct(r.finalAccuracy)}</td><td>${pct(r.finalTestAccuracy)}</td><td>${count(r.searchParams)} → ${count(r.finalParams)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Final training</h2>
<p class="meta">The best architectures of the search trained again at the final size (spec <code>final</code>); not part of the search's charts.</p>
<table id="final"><thead><tr><th>final trial</th><th>search trial</th><th>search val</th><th>final val</th><th>final test</th><th>parameters</th></tr></thead>
<tbody>
${body}
</tbody></table>`;
}
