/**
 * A cross-process lock made of a directory (mkdir is atomic), so parallel test files that need
 * the same missing tool build it once. The holder's pid is written inside: a lock whose holder is
 * gone (killed mid-build) is taken over at once, and any lock older than its time-to-live too.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function withLock<T>(path: string, fn: () => Promise<T>, ttlMs = 60 * 60 * 1000): Promise<T> {
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = statSync(path, { throwIfNoEntry: false });
      if (held && (Date.now() - held.mtimeMs > ttlMs || holderGone(path, held.mtimeMs))) rmSync(path, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

/** The recorded holder no longer runs (a lock without a pid file gets a few seconds to write one). */
function holderGone(path: string, since: number): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(path, 'pid'), 'utf8'));
  } catch {
    return Date.now() - since > 10_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
