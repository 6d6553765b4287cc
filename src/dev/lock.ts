/**
 * A cross-process lock made of a directory (mkdir is atomic), so parallel test files that need
 * the same missing tool build it once. A lock older than its time-to-live is taken over: its
 * holder died.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export async function withLock<T>(path: string, fn: () => Promise<T>, ttlMs = 60 * 60 * 1000): Promise<T> {
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = statSync(path, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > ttlMs) rmSync(path, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}
