/** How the CLI shows a search: a live progress bar, a leaderboard table and a JSON summary. */
import { SingleBar, Presets } from 'cli-progress';
import { oneShotStageText } from '../common/one-shot-stage.js';
import type { FinalProgress, LeaderboardEntry, SearchProgress } from '../common/search-types.js';

export interface ProgressView {
  update(p: SearchProgress): void;
  /** The Temporal server is unreachable: the last counts stay, the phase says so. */
  reconnecting(forMs: number): void;
  /** Draws the last frame from the final progress (counts and phase at the end), then stops. */
  finish(p?: SearchProgress): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const bar = new SingleBar(
    {
      stream,
      format: '{bar} {value}/{total} done | {running} running | {failed} failed | best {best} | {phase} | ETA {eta_text}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  let started = false;
  let last: SearchProgress | undefined;
  const draw = (p: SearchProgress, phase: string, eta: string): void => {
    const payload = { running: p.counts.running, failed: p.counts.failed, best: p.best ? `${p.best.accuracy.toFixed(2)}%` : '-', phase, eta_text: eta };
    const done = p.counts.succeeded + p.counts.failed;
    if (!started) {
      bar.start(p.maxTrials, done, payload);
      started = true;
    }
    bar.setTotal(p.maxTrials);
    bar.update(done, payload);
  };
  return {
    update(p) {
      last = p;
      draw(
        p,
        phaseText(p),
        p.etaMs !== undefined ? formatDuration(p.etaMs) : p.oneShot?.stageEtaMs !== undefined ? `supernet stages ${formatDuration(p.oneShot.stageEtaMs)}` : '?',
      );
    },
    reconnecting(forMs) {
      if (last) draw(last, `reconnecting to Temporal (${formatDuration(forMs)})`, '?');
    },
    finish(p) {
      if (p) draw(p, phaseText(p), '-');
      if (started) bar.stop(); // renders the frame just drawn once more, then ends the line
      started = false;
    },
  };
}

function phaseText(p: SearchProgress): string {
  if (p.final && p.final.stage !== 'done') return `${p.phase}: final training ${finalDone(p.final)}/${p.final.trials.length || '?'}`;
  return p.oneShot && p.oneShot.stage !== 'children' ? `${p.phase}: ${oneShotStageText(p.oneShot)}` : p.phase;
}

const finalDone = (f: FinalProgress): number => f.trials.filter((t) => t.status === 'succeeded' || t.status === 'failed').length;

/** The final stage beside the search: each retrained architecture's search and final accuracy. */
export function finalTable(f: FinalProgress): string {
  const pct = (x: number | undefined): string => (x === undefined ? '      -' : `${x.toFixed(2).padStart(6)}%`);
  const rows = f.trials.map(
    (t, i) =>
      `${String(i + 1).padStart(3)}  ${pct(t.searchAccuracy)}  ${pct(t.accuracy)}  ${pct(t.testAccuracy)}  ${t.status.padEnd(9)}  ${t.trialId} (from ${t.sourceTrialId})${t.reason && t.status !== 'succeeded' ? `: ${t.reason}` : ''}`,
  );
  return [`final training (${f.size}):`, '  #   search      final  final test  status     trial', ...rows].join('\n');
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function leaderboardTable(entries: readonly LeaderboardEntry[]): string {
  const rows = entries.map(
    (e, i) =>
      `${String(i + 1).padStart(3)}  ${e.accuracy.toFixed(2).padStart(6)}%  ${e.testAccuracy !== undefined ? `${e.testAccuracy.toFixed(2).padStart(6)}%` : '      -'}  ${e.trialId}  ${e.summary}`,
  );
  return ['  #     val      test  trial  architecture', ...rows].join('\n');
}

export function statusText(p: SearchProgress): string {
  const lines = [
    `search ${p.searchId} (${p.algorithm}): ${p.phase}`,
    `trials: ${p.counts.succeeded} succeeded, ${p.counts.failed} failed, ${p.counts.running} running, ${p.counts.infraRetries} infrastructure retries, ${p.counts.cancelled} cancelled (max ${p.maxTrials}, parallelism ${p.parallelism})`,
    `elapsed ${formatDuration(p.elapsedMs)}${p.etaMs !== undefined ? `, ETA ${formatDuration(p.etaMs)}` : ''}, runs ${p.runs}`,
  ];
  if (p.oneShot) {
    lines.push(`PONAS one-shot: ${oneShotStageText(p.oneShot)}${p.oneShot.winners.length > 0 ? `; row winners ${p.oneShot.winners.join(' ')}` : ''}`);
    const sel = p.oneShot.selection;
    if (sel) lines.push(`selected under budget: ${sel.summary} (${sel.cost} ${sel.unit}; Pareto front of ${sel.frontSize})`);
  }
  if (p.best) lines.push(`best: ${p.best.trialId} ${p.best.accuracy.toFixed(2)}% ${p.best.summary}`);
  if (p.final) lines.push(finalTable(p.final));
  if (p.reason) lines.push(`reason: ${p.reason}`);
  return lines.join('\n');
}
