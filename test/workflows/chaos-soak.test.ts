/**
 * The CI variant of the chaos soak (`bench/chaos-soak.bench.ts`, same harness): 80 paced NB201
 * trials as real processes, 6 worker deaths (SIGKILL and SIGTERM), one Temporal dev-server restart
 * on the same port and database, one client restart. Nothing lost, nothing counted twice, and every
 * run of the workflow replays against the current code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { formatSummary, runChaosSoak } from '../helpers/chaos-soak.js';
import { replayRuns, workflowTaskFailures } from '../helpers/soak-audit.js';

const STUCK_HISTORY = fileURLToPath(new URL('../../../test/replay/obsolete/worker-restart-1.json', import.meta.url));

// The soak handles SIGINT/SIGTERM itself (it stops the servers and workers it started).
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

describe('chaos soak (CI variant)', () => {
  it('reports the nondeterminism of a search that got stuck under worker kills (issue 12 history)', async () => {
    const runs = [{ runId: 'worker-restart-1', history: historyFromJSON(JSON.parse(readFileSync(STUCK_HISTORY, 'utf8'))) }];
    const failures = workflowTaskFailures(runs);
    assert.ok(
      failures.some((f) => f.nondeterminism && /TMPRL1100/.test(f.message)),
      JSON.stringify(failures),
    );
    const replay = await replayRuns('nas/local/nb201-evolution/stuck', runs);
    assert.equal(replay.length, 1, "the old loop's history does not replay against the current workflow code");
  });

  it(
    'finishes 80 trials through 6 worker deaths, a server restart and a client restart: 0 lost, 0 duplicated, every history replays',
    { timeout: 14 * 60_000 },
    async () => {
      const s = await runChaosSoak({
        seed: 1,
        trials: 80,
        parallelism: 10,
        secondsPerSimulatedHour: 40,
        kills: 6,
        serverRestarts: 1,
        clientRestarts: 1,
        jitterMs: 3000,
        stallMs: 120_000,
        limitMs: 12 * 60_000,
        log: (m) => console.error(`[soak] ${m}`),
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
    },
  );
});
