import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, stopService } from '../../src/dev/service.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { runCli as run, type CliRun } from '../helpers/cli.js';
import { at } from '../../src/common/indexing.js';

interface Stack {
  components: { temporal: { processes: { pid: number }[]; endpoints: { address: string; uiUrl: string } } };
}

/**
 * `search run --address` against a dev stack Temporal: the CLI says that no worker polls, carries
 * on once one does, rides out a server outage ("reconnecting") while the server is down and
 * brought back with `dev up` on its recorded ports and database, and `dev restart` keeps the
 * address while `dev status`/`dev down` follow the new process.
 */
describe('nasflow search run --address and the dev stack Temporal', () => {
  it('warns that no worker polls, reconnects through an outage, and dev up/restart keep address and database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-remote-'));
    const env = { ...process.env, NASFLOW_DEV_DIR: join(dir, 'dev'), NASFLOW_HOME: join(dir, 'home') };
    const stackFile = join(dir, 'dev', 'stack.json');
    const stack = (): Stack => JSON.parse(readFileSync(stackFile, 'utf8')) as Stack;
    let worker: ReturnType<typeof spawn> | undefined;
    try {
      const up = await run(['dev', 'up', '--temporal', '--json'], env);
      assert.equal(up.code, 0, up.stderr);
      const { address } = stack().components.temporal.endpoints;
      // ~1-6 s per trial, 24 trials two at a time: the search outlasts the outage below.
      writeFileSync(
        join(dir, 'spec.yaml'),
        `name: remote\nalgorithm: {random: {}}\nspace: nb201\nevaluator: {type: benchmark, benchmark: nb201-cifar10, secondsPerSimulatedHour: 30}\nbudget: {maxTrials: 24, parallelism: 2}\nstorage: ${join(dir, 'store')}\nseed: 7\n`,
      );

      let stopped: Promise<void> | undefined;
      let outage: Promise<CliRun> | undefined;
      const steps: string[] = [];
      const search = await run(['search', 'run', join(dir, 'spec.yaml'), '--address', address, '--id', 'r', '--json'], env, (text) => {
        if (!worker && /no worker polls task queue "nasflow" on 127\.0\.0\.1:\d+: .*nasflow worker --address 127\.0\.0\.1:\d+/.test(text)) {
          steps.push('no-worker');
          worker = spawn(process.execPath, [CLI_ENTRY, 'worker', '--address', address], { env, stdio: 'ignore' });
        }
        if (!stopped && /\b[3-9]\/24 done/.test(text)) {
          steps.push('outage');
          stopped = stopService({ pid: at(stack().components.temporal.processes, 0).pid });
        }
        // The server comes back (dev up on the recorded ports and database) once the client has
        // shown that it lost it.
        if (stopped && !outage && /does not answer; reconnecting/.test(text)) {
          steps.push('reconnecting');
          outage = stopped.then(() => run(['dev', 'up', '--temporal', '--json'], env));
        }
      });
      assert.equal(search.code, 0, search.stderr);
      assert.deepEqual(steps, ['no-worker', 'outage', 'reconnecting']);
      assert.match(search.stderr, /a worker polls the task queue now/);
      assert.match(search.stderr, /Temporal at 127\.0\.0\.1:\d+ does not answer; reconnecting/);
      assert.match(search.stderr, /reconnected to Temporal at 127\.0\.0\.1:\d+ after/);
      assert.match(search.stderr, /24\/24 done \| 0 running \| 0 failed \| best [\d.]+% \| Succeeded/);
      const summary = JSON.parse(search.stdout.trim().split('\n').pop()!) as { phase: string; trials: { succeeded: number } };
      assert.deepEqual([summary.phase, summary.trials.succeeded], ['Succeeded', 24]);
      const back = await outage!;
      assert.equal(back.code, 0, back.stderr);
      assert.equal(stack().components.temporal.endpoints.address, address, 'dev up reused the recorded ports');

      // Restart in place: same address, same database (the finished search is still there).
      const before = at(stack().components.temporal.processes, 0).pid;
      const restarted = await run(['dev', 'restart'], env);
      assert.equal(restarted.code, 0, restarted.stderr);
      assert.match(restarted.stderr, /temporal restarted on its recorded ports/);
      const after = stack().components.temporal;
      const afterPid = at(after.processes, 0).pid;
      assert.equal(after.endpoints.address, address);
      assert.notEqual(afterPid, before);
      assert.ok(!isAlive(before), 'the old server is gone');
      const status = await run(['search', 'status', 'local/remote/r', '--address', address, '--json'], env);
      assert.equal(status.code, 0, status.stderr);
      assert.equal((JSON.parse(status.stdout) as { progress: { phase: string } }).progress.phase, 'Succeeded');
      const report = JSON.parse((await run(['dev', 'status', '--json'], env)).stdout) as { running: boolean };
      assert.equal(report.running, true, 'dev status finds the restarted server');
      const down = await run(['dev', 'down'], env);
      assert.match(down.stdout, new RegExp(`stopped: temporal/temporal \\(pid ${afterPid}\\)`));
      assert.ok(!isAlive(afterPid), 'dev down stopped the restarted server');
    } finally {
      if (worker?.pid !== undefined) await stopService({ pid: worker.pid });
      await run(['dev', 'down'], env);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
