/** What a chaos soak reports (test/helpers/chaos-soak.ts), and how it prints. */
import type { ReplayFailure, TaskFailure } from './soak-audit.js';

export type SoakOutcome = 'Succeeded' | 'Failed' | 'Cancelled' | 'Stuck' | 'TimedOut' | 'NotStarted';

export interface ChaosSoakSummary {
  seed: number;
  trials: number;
  outcome: SoakOutcome;
  reason?: string;
  /** Events the schedule asked for; a search that ends first leaves the rest undone (not ok). */
  planned: { kills: number; serverRestarts: number; clientRestarts: number };
  kills: { SIGKILL: number; SIGTERM: number };
  /** Workers that did not exit within 60 s of SIGTERM (then killed). */
  sigtermHangs: number;
  /** Workers that exited without being killed (restarted too). */
  workerFailures: string[];
  serverRestarts: number;
  clientRestarts: number;
  /** Each client's exit (`code`/`signal`) or `ok`/`failed` for an attaching `search status`. */
  clients: string[];
  succeeded: number;
  infraRetries: number;
  workflowRuns: number;
  launches: number;
  /** Attempts claimed whose process never started (a worker died in between); each retried once. */
  interruptedLaunches: number;
  duplicates: number;
  missing: number;
  /** Attempts beyond each trial's first minus the infrastructure retries the search counted. */
  unaccountedAttempts: number;
  taskFailures: TaskFailure[];
  nondeterminism: number;
  replayedRuns: number;
  replayFailures: ReplayFailure[];
  wallSeconds: number;
  dir?: string;
  ok: boolean;
}

/** One line of figures, then a line for each thing that went wrong. */
export function formatSummary(s: ChaosSoakSummary): string {
  return [figures(s), ...details(s)].join('\n');
}

function figures(s: ChaosSoakSummary): string {
  return [
    `seed ${s.seed}: ${s.outcome}${s.ok ? ' (ok)' : ' (FAILED CHECKS)'}`,
    `kills ${s.kills.SIGKILL + s.kills.SIGTERM}/${s.planned.kills} (SIGKILL ${s.kills.SIGKILL}, SIGTERM ${s.kills.SIGTERM}, SIGTERM hangs ${s.sigtermHangs})`,
    `server restarts ${s.serverRestarts}/${s.planned.serverRestarts}`,
    `client restarts ${s.clientRestarts}/${s.planned.clientRestarts}`,
    `trials ${s.succeeded}/${s.trials}`,
    `duplicates ${s.duplicates}`,
    `missing ${s.missing}`,
    `unaccounted attempts ${s.unaccountedAttempts}`,
    `infra retries ${s.infraRetries}`,
    `launches ${s.launches} (+${s.interruptedLaunches} interrupted before their process started)`,
    `runs ${s.workflowRuns}`,
    `nondeterminism ${s.nondeterminism}`,
    `replay failures ${s.replayFailures.length}/${s.replayedRuns}`,
    `worker failures ${s.workerFailures.length}`,
    `wall ${s.wallSeconds} s`,
  ].join(', ');
}

function details(s: ChaosSoakSummary): string[] {
  const out: string[] = [];
  if (s.reason) out.push(`  reason: ${s.reason}`);
  for (const f of s.taskFailures.slice(0, 5)) out.push(`  workflow task failed (run ${f.runId}, event ${f.eventId}): ${f.message}`);
  for (const f of s.replayFailures.slice(0, 5)) out.push(`  replay failed (run ${f.runId}): ${f.error}`);
  for (const e of s.workerFailures.slice(0, 5)) out.push(`  worker failed by itself: ${e}`);
  if (s.clients.length) out.push(`  clients: ${s.clients.join('; ')}`);
  if (s.dir) out.push(`  logs, store and database kept in ${s.dir}`);
  return out;
}
