/**
 * CPU seconds and peak resident memory per role (worker, operator, Temporal, apiserver, ...) from
 * /proc, for the scale bench. A role may have several processes over a run (a worker killed and
 * replaced): CPU adds up over them, peak RSS is the largest any one of them reached. A process is
 * sampled until it exits, so a killed one loses at most one sampling interval of CPU.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Sample {
  cpuSeconds: number;
  peakRssMiB: number;
}

export interface RoleStats {
  role: string;
  processes: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

export class ProcStats {
  private readonly latest = new Map<number, Sample & { role: string }>();
  private timer: NodeJS.Timeout | undefined;

  /** Starts following a process under a role name. */
  track(role: string, pid: number): void {
    if (!this.latest.has(pid)) this.latest.set(pid, { role, cpuSeconds: 0, peakRssMiB: 0 });
    this.sampleOne(pid);
  }

  start(intervalMs = 2000): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  sample(): void {
    for (const pid of this.latest.keys()) this.sampleOne(pid);
  }

  byRole(): RoleStats[] {
    const roles = new Map<string, RoleStats>();
    for (const s of this.latest.values()) {
      const r = roles.get(s.role) ?? { role: s.role, processes: 0, cpuSeconds: 0, peakRssMiB: 0 };
      r.processes++;
      r.cpuSeconds += s.cpuSeconds;
      r.peakRssMiB = Math.max(r.peakRssMiB, s.peakRssMiB);
      roles.set(s.role, r);
    }
    return [...roles.values()];
  }

  private sampleOne(pid: number): void {
    const entry = this.latest.get(pid)!;
    const read = readProc(pid);
    if (!read) return; // exited: keep the last sample
    entry.cpuSeconds = read.cpuSeconds;
    entry.peakRssMiB = Math.max(entry.peakRssMiB, read.peakRssMiB);
  }
}

/** utime + stime (fields 14 and 15 of /proc/PID/stat) and VmHWM of one process. */
export function readProc(pid: number): Sample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuSeconds, peakRssMiB: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

/** The machine's 1-minute load average (for the report, beside the figures it affects). */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
