/** Shared polling helpers and timeouts for tests against real servers. */
import { setTimeout as sleep } from 'node:timers/promises';

export const TIMEOUTS = { short: 10_000, medium: 30_000, long: 120_000 } as const;

/** Retries `check` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs: number = TIMEOUTS.medium, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(intervalMs);
    }
  }
}
