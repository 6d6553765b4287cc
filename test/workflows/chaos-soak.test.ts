/**
 * The CI variant of the chaos soak (`bench/chaos-soak.bench.ts`, same harness): 80 paced NB201
 * trials as real processes, 6 worker deaths (SIGKILL and SIGTERM), one Temporal dev-server restart
 * on the same port and database, one client restart. Nothing lost, nothing counted twice, and every
 * run of the workflow replays against the current code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { formatSummary, runChaosSoak } from '../helpers/chaos-soak.js';

// The soak handles SIGINT/SIGTERM itself (it stops the servers and workers it started).
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

describe('chaos soak (CI variant)', () => {
  it('finishes 80 trials through 6 worker deaths, a server restart and a client restart: 0 lost, 0 duplicated, every history replays', { timeout: 14 * 60_000 }, async () => {
    const s = await runChaosSoak({
      seed: 1, trials: 80, parallelism: 10, secondsPerSimulatedHour: 40, kills: 6, serverRestarts: 1, clientRestarts: 1,
      jitterMs: 3000, stallMs: 120_000, limitMs: 12 * 60_000, log: (m) => console.error(`[soak] ${m}`),
    });
    const report = formatSummary(s);
    console.error(report);
    assert.equal(s.nondeterminism, 0, report);
    assert.deepEqual(s.replayFailures, [], report);
    assert.equal(s.outcome, 'Succeeded', report);
    assert.equal(s.succeeded, 80, report);
    assert.equal(s.duplicates, 0, report);
    assert.equal(s.missing, 0, report);
    assert.equal(s.unaccountedAttempts, 0, report);
    assert.ok(s.kills.SIGKILL >= 3 && s.kills.SIGTERM >= 3, report);
    assert.equal(s.serverRestarts, 1, report);
    assert.equal(s.clientRestarts, 1, report);
    assert.ok(s.replayedRuns >= 1, report);
    assert.ok(s.ok, report);
  });
});
