/** The seeded event schedule of a chaos soak, and the clean-up of trial processes it leaves behind. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/common/rng.js';

export type SoakEvent =
  | { kind: 'kill'; atResults: number; delayMs: number; signal: 'SIGKILL' | 'SIGTERM' }
  | { kind: 'server'; atResults: number; delayMs: number; signal: 'SIGKILL' | 'SIGTERM'; downMs: number }
  | { kind: 'client'; atResults: number; delayMs: number };

export interface ScheduleOptions {
  seed: number;
  trials: number;
  kills: number;
  serverRestarts: number;
  clientRestarts: number;
  jitterMs?: number;
}

/**
 * Events in the order they happen. Each waits until the store holds `atResults` trial results
 * (drawn between 2 % and 90 % of the budget, so all happen before the search ends), then `delayMs`.
 * Kills are half SIGKILL, half SIGTERM, in seeded order; server restarts alternate a graceful stop
 * and a SIGKILL, each down for 2-8 s.
 */
export function soakSchedule(opts: ScheduleOptions): SoakEvent[] {
  const rng = Rng.seeded(`chaos-soak/${opts.seed}`);
  const jitter = opts.jitterMs ?? 6000;
  const at = (lo: number, hi: number): number => Math.floor(opts.trials * (lo + (hi - lo) * rng.next()));
  const delay = (): number => Math.round(500 + (jitter - 500) * rng.next());
  const signals = rng.shuffle(Array.from({ length: opts.kills }, (_, i) => (i % 2 === 0 ? 'SIGKILL' : 'SIGTERM') as 'SIGKILL' | 'SIGTERM'));
  const events: SoakEvent[] = signals.map((signal) => ({ kind: 'kill', atResults: at(0.02, 0.9), delayMs: delay(), signal }));
  for (let i = 0; i < opts.serverRestarts; i++) {
    events.push({
      kind: 'server',
      atResults: at(0.15, 0.85),
      delayMs: delay(),
      signal: i % 2 === 0 ? 'SIGTERM' : 'SIGKILL',
      downMs: Math.round(2000 + 6000 * rng.next()),
    });
  }
  for (let i = 0; i < opts.clientRestarts; i++) events.push({ kind: 'client', atResults: at(0.3, 0.7), delayMs: delay() });
  return events.sort((a, b) => a.atResults - b.atResults);
}

/**
 * Kills the process groups of trials this soak's launcher started that still run (a stuck or
 * failed soak leaves them): only a pid whose environment names this launcher's folder, so a pid
 * that wrapped to someone else's process is never signalled.
 */
export function killTrialProcesses(workDir: string): number {
  const logFile = join(workDir, 'launches.log');
  if (!existsSync(logFile)) return 0;
  let killed = 0;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { pid } = JSON.parse(line) as { pid: number };
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone
    }
    if (!environ.split('\0').some((v) => v.startsWith(`EXIT_FILE=${workDir}/`))) continue;
    try {
      process.kill(-pid, 'SIGKILL');
      killed++;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
