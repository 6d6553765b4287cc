/**
 * The report's timeline: every trial attempt as a bar from when the search began waiting on it to
 * when it saw the exit (the attempt records of src/api/trial-result.ts), one lane per host, and
 * within a host one lane per slot (attempts that overlap in time take different slots, first free
 * slot first, so a lane is one trial at a time). Bars are coloured by outcome; a retried attempt
 * (2nd or later) is outlined dashed and joined to its previous attempt. Pure: records in, model and
 * SVG out.
 */
import type { AttemptRecord } from '../api/trial-result.js';
import type { TrialRecord } from '../search/trial-records.js';
import { esc, px } from './html.js';
import { ticks } from './svg-charts.js';

export interface TimelineBar {
  trialId: string;
  attempt: number;
  outcome: AttemptRecord['outcome'];
  /** Seconds after the first attempt began. */
  start: number;
  end: number;
  lane: number;
  title: string;
}

export interface TimelineModel {
  /** One label per lane, top to bottom. */
  lanes: string[];
  bars: TimelineBar[];
  /** When the first attempt began (ms since the epoch). */
  t0Ms: number;
  /** Trials with no attempt record (running now, or written before records were kept). */
  unrecorded: number;
  /** Attempts after the first (retries) and failed attempts, for the caption. */
  retries: number;
  failures: number;
  /** What the records cannot tell, in words (printed under the chart). */
  notes: string[];
}

/** Where an attempt ran: its host when the launcher knows it, else the worker that awaited it. */
const placeOf = (r: AttemptRecord): string => r.host ?? r.worker;

export function timelineModel(trials: readonly TrialRecord[]): TimelineModel {
  const attempts = trials.flatMap((t) => (t.attemptRecords ?? []).map((r) => ({ trialId: t.trialId, r })));
  const unrecorded = trials.filter((t) => !t.attemptRecords?.length).length;
  if (attempts.length === 0) return { lanes: [], bars: [], t0Ms: 0, unrecorded, retries: 0, failures: 0, notes: [] };
  const t0Ms = Math.min(...attempts.map((a) => a.r.startedAtMs));
  const places = [...new Set(attempts.map((a) => placeOf(a.r)))].sort();
  const lanes: string[] = [];
  const bars: TimelineBar[] = [];
  for (const place of places) {
    const here = attempts.filter((a) => placeOf(a.r) === place).sort((a, b) => a.r.startedAtMs - b.r.startedAtMs || a.r.endedAtMs - b.r.endedAtMs);
    const slotEnds: number[] = [];
    for (const { trialId, r } of here) {
      let slot = slotEnds.findIndex((end) => end <= r.startedAtMs);
      if (slot < 0) slot = slotEnds.push(0) - 1;
      slotEnds[slot] = Math.max(r.endedAtMs, r.startedAtMs);
      const start = (r.startedAtMs - t0Ms) / 1000;
      const end = (Math.max(r.endedAtMs, r.startedAtMs) - t0Ms) / 1000;
      const why = r.reason ? `: ${r.reason}` : '';
      bars.push({
        trialId,
        attempt: r.attempt,
        outcome: r.outcome,
        start,
        end,
        lane: lanes.length + slot,
        title: `${trialId} attempt ${r.attempt}: ${r.outcome}${r.exitCode === undefined ? '' : ` (exit ${r.exitCode})`}${why}; ${(end - start).toFixed(1)} s on ${place}`,
      });
    }
    lanes.push(...slotEnds.map((_, i) => (places.length === 1 ? `slot ${i + 1}` : `${place} · ${i + 1}`)));
  }
  const notes: string[] = [];
  if (places.length === 1) notes.push(`every attempt ran on or was awaited by ${places[0]}; lanes are slots (attempts running at the same time)`);
  if (attempts.some((a) => a.r.host === undefined))
    notes.push('the node an attempt ran on is not recorded for Kubernetes or benchmark trials: those lanes name the worker that awaited it');
  notes.push('a bar spans from the search starting to wait on the attempt (just after launch, queueing included) to the poll that saw it exit');
  return {
    lanes,
    bars,
    t0Ms,
    unrecorded,
    retries: attempts.filter((a) => a.r.attempt > 1).length,
    failures: attempts.filter((a) => a.r.outcome !== 'succeeded').length,
    notes,
  };
}

const W = 1100;
const LANE = 18;
const LEFT = 150;
const TOP = 8;
const BOTTOM = 40;

/** The timeline as SVG, or a sentence when no attempt has a record. */
export function timelineSvg(m: TimelineModel): string {
  if (m.bars.length === 0)
    return '<p class="gap" id="timeline">no attempt record in this search (searches made before attempt records were kept, or nothing has finished yet)</p>';
  const span = Math.max(...m.bars.map((b) => b.end), 1e-3);
  const pw = W - LEFT - 16;
  const sx = (s: number) => LEFT + (s / span) * pw;
  const height = TOP + m.lanes.length * LANE + BOTTOM;
  const parts: string[] = [];
  m.lanes.forEach((label, i) => {
    const y = TOP + i * LANE;
    parts.push(`<rect class="lane${i % 2 ? ' odd' : ''}" x="${LEFT}" y="${y}" width="${pw}" height="${LANE}"/>`);
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${y + 13}" text-anchor="end">${esc(label)}</text>`);
  });
  const axisY = TOP + m.lanes.length * LANE;
  for (const t of ticks(0, span)) {
    parts.push(`<line class="grid" x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${TOP}" y2="${axisY}"/>`);
    parts.push(`<text class="tick" x="${px(sx(t))}" y="${axisY + 14}" text-anchor="middle">${esc(String(Math.round(t * 1000) / 1000))}</text>`);
  }
  parts.push(`<text class="axis" x="${LEFT + pw / 2}" y="${axisY + 32}" text-anchor="middle">seconds since the first attempt began</text>`);
  // Retries: a dashed link from the end of the previous attempt to the start of the next.
  const byAttempt = new Map(m.bars.map((b) => [`${b.trialId}#${b.attempt}`, b]));
  for (const b of m.bars) {
    const prev = byAttempt.get(`${b.trialId}#${b.attempt - 1}`);
    if (!prev) continue;
    const [y1, y2] = [TOP + prev.lane * LANE + LANE / 2, TOP + b.lane * LANE + LANE / 2];
    parts.push(`<path class="retry-link" d="M${px(sx(prev.end))} ${px(y1)} L${px(sx(b.start))} ${px(y2)}"/>`);
  }
  for (const b of m.bars) {
    const x = sx(b.start);
    const w = Math.max(sx(b.end) - x, 3); // an attempt answered within a poll still shows
    const cls = `bar ${b.outcome}${b.attempt > 1 ? ' retry' : ''}`;
    parts.push(
      `<rect class="${cls}" data-trial="${esc(b.trialId)}" data-attempt="${b.attempt}" x="${px(x)}" y="${TOP + b.lane * LANE + 3}" width="${px(w)}" height="${LANE - 6}" rx="2"><title>${esc(b.title)}</title></rect>`,
    );
  }
  return `<svg id="timeline" class="chart" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="trial attempts over time per worker">${parts.join('')}</svg>`;
}

/** The legend of outcomes (shared CSS classes with the bars). */
export const TIMELINE_LEGEND = `<p class="legend">${(['succeeded', 'user', 'infra', 'cancelled'] as const)
  .map(
    (o) =>
      `<span><svg width="12" height="10"><rect class="bar ${o}" width="12" height="10"/></svg> ${o === 'user' ? 'failed (counts)' : o === 'infra' ? 'failed (infrastructure, retried)' : o}</span>`,
  )
  .join(' ')} <span><svg width="12" height="10"><rect class="bar succeeded retry" width="12" height="10"/></svg> a retry (attempt 2 or later)</span></p>`;
