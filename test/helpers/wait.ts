/**
 * Shared polling helpers and timeouts for tests against real servers.
 *
 * A test waits for an event (a phase, a count, a file), never for a span of wall clock: these
 * limits only end a wait that will never succeed, with the check's last error. They are generous
 * on purpose — the machines have 2 cores and CI runs beside other jobs, where a step that takes
 * 5 s when idle can take ten times as long — and stay below the runner's 15-minute limit per test
 * (scripts/test.js), so a broken test still fails with its own message.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const TIMEOUTS = { short: 60_000, medium: 180_000, long: 600_000 } as const;

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
