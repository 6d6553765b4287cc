/**
 * Whether a recorded pid is still a trial attempt's process. A pid alone is not enough: pids wrap
 * on a busy machine, so after the trial's shell is gone the number may belong to any process, and
 * `kill(-pid)` would hit that process's whole group. The attempt's shell carries a marker in its
 * environment (an environment variable naming the attempt's own record folder) and, once the
 * launcher has recorded it, a start time; both are checked in /proc before the pid counts as the
 * trial's. Linux only: where /proc is missing the pid is trusted as before.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAlive } from '../dev/service.js';

const HAS_PROC = existsSync('/proc/self/stat');

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces and ")"). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The process's start time in clock ticks after boot (field 22 of /proc/<pid>/stat). */
export function processStartTicks(pid: number): number | undefined {
  const ticks = Number(statFields(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** Whether `pid`'s environment holds `marker` (a whole `NAME=value` entry); false when unreadable. */
function hasMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
  } catch {
    return false; // gone, or another user's process: not a trial this launcher started
  }
}

/**
 * Whether `pid` is alive and is the process that carries `marker`, started at `startTicks` when
 * that is known.
 */
export function isTrialProcess(pid: number, marker: string, startTicks?: number): boolean {
  if (!HAS_PROC) return isAlive(pid);
  if (!isAlive(pid)) return false;
  if (startTicks !== undefined && processStartTicks(pid) !== startTicks) return false;
  return hasMarker(pid, marker);
}

/**
 * Whether the process group `pgid` still holds a process that carries `marker`: the trial's shell,
 * or its trainer after the shell was killed alone. While any member lives the kernel does not
 * reuse the number, so a group with one marked member is wholly the trial's and safe to signal.
 */
export function trialGroupAlive(pgid: number, marker: string, startTicks?: number): boolean {
  if (isTrialProcess(pgid, marker, startTicks)) return true;
  if (!HAS_PROC) return false;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === pgid) continue;
    // Field 5 of /proc/<pid>/stat is the process group.
    if (Number(statFields(pid)?.[2]) === pgid && hasMarker(pid, marker)) return true;
  }
  return false;
}
