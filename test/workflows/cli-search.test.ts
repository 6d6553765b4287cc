import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run, type CliRun } from '../helpers/cli.js';
import { serverRecord, serverRuns } from '../../src/cli/embedded-server.js';
import { isAlive } from '../../src/dev/service.js';

/** A temporary folder with its own NASFLOW_HOME (so its own embedded server), removed afterwards. */
async function inTempHome(fn: (dir: string, env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nasflow-cli-'));
  try {
    await fn(dir, { ...process.env, NASFLOW_HOME: join(dir, 'home') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A random search on the NAS-Bench-201 table; `pace` seconds per simulated training hour. */
function benchmarkSpec(dir: string, name: string, maxTrials: number, pace: number, seed: number): string {
  return `name: ${name}\nalgorithm: {random: {}}\nspace: nb201\nevaluator: {type: benchmark, benchmark: nb201-cifar10, secondsPerSimulatedHour: ${pace}}\nbudget: {maxTrials: ${maxTrials}, parallelism: 2}\nstorage: ${join(dir, 'store')}\nseed: ${seed}\n`;
}

function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

describe('nasflow search run on the embedded default', () => {
  it('rejects a bad spec naming the field and the fix, before starting anything', () =>
    inTempHome(async (dir, env) => {
      writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nalgorithm: {}\nspace: nb201\nbudget: {maxTrials: 3}\nstorage: ./s\n');
      const res = await run(['search', 'run', join(dir, 'bad.yaml')], env);
      assert.equal(res.code, 1);
      assert.match(
        res.stderr,
        /bad\.yaml: invalid search spec:\n {2}algorithm: set exactly one of random, evolution, nasnetRL, mnasnetRL, pnas, ponas; received \{\}/,
      );
    }));

  it('runs a search to the end, pauses it on a terminal Ctrl-C, answers status, resumes it; cancel ends a paused search', () =>
    inTempHome(async (dir, env) => {
      writeFileSync(join(dir, 'fast.yaml'), benchmarkSpec(dir, 'cli', 10, 0, 5));
      const done = await run(['search', 'run', join(dir, 'fast.yaml'), '--json', '--id', 'fast'], env);
      assert.equal(done.code, 0, done.stderr);
      const summary = lastJson<{ searchId: string; phase: string; trials: { succeeded: number }; best: { valAccuracy: number } }>(done.stdout);
      assert.equal(summary.searchId, 'local/cli/fast');
      assert.equal(summary.phase, 'Succeeded');
      assert.equal(summary.trials.succeeded, 10);
      assert.ok(summary.best.valAccuracy > 0);
      assert.match(done.stderr, /Temporal UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/nas%2Flocal%2Fcli%2Ffast/);
      // The last frame of the bar shows the end, not the last poll before it.
      assert.match(done.stderr, /10\/10 done \| 0 running \| 0 failed \| best [\d.]+% \| Succeeded/);
      const firstServer = serverRecord(join(dir, 'home'));
      assert.ok(firstServer?.ports, 'the embedded server records its ports');
      assert.equal(firstServer.pid, undefined, 'the last command using the embedded server stopped it');

      // Slow trials (~1-3 s each); Ctrl-C to the whole process group once a few are done, as a
      // terminal sends it. The embedded server runs in its own group and survives the signal.
      writeFileSync(join(dir, 'slow.yaml'), benchmarkSpec(dir, 'cli', 12, 10, 5));
      const paused = await ctrlC(['search', 'run', join(dir, 'slow.yaml'), '--id', 'slow'], env, /[2-9]\/12 done/);
      assert.equal(paused.code, 130, paused.stderr);
      assert.match(paused.stderr, /\d+\/12 done \| \d+ running \| \d+ failed \| best [\d.]+% \| Paused/);
      assert.match(paused.stderr, /search paused; resume with: nasflow search resume local\/cli\/slow\n/);
      assert.doesNotMatch(paused.stderr, /WARN|refused|ECONNREFUSED|Error/);
      const server = serverRecord(join(dir, 'home'));
      assert.ok(server);
      assert.equal(server.pid, undefined, 'the embedded server was stopped by the CLI, not left behind');
      assert.equal(server.address, firstServer.address, 'a new embedded server reuses the recorded ports');

      // No worker runs the paused search: status answers from the search attributes at once.
      const status = await run(['search', 'status', 'local/cli/slow', '--json'], env);
      assert.equal(status.code, 0, status.stderr);
      const report = lastJson<{ status: string; attributes: { phase: string }; note: string }>(status.stdout);
      assert.equal(report.status, 'RUNNING');
      assert.equal(report.attributes.phase, 'Paused');
      assert.match(report.note, /nasflow search resume local\/cli\/slow/);

      const resumed = await run(['search', 'resume', 'local/cli/slow', '--json'], env);
      assert.equal(resumed.code, 0, resumed.stderr);
      const final = lastJson<{ phase: string; trials: { succeeded: number } }>(resumed.stdout);
      assert.equal(final.phase, 'Succeeded');
      assert.equal(final.trials.succeeded, 12);

      // A finished search answers from its result (a query would need a worker).
      const ended = await run(['search', 'status', 'local/cli/slow'], env);
      assert.equal(ended.code, 0, ended.stderr);
      assert.match(ended.stdout, /search local\/cli\/slow \(random\): Succeeded\ntrials: 12 succeeded/);

      const again = await ctrlC(['search', 'run', join(dir, 'slow.yaml'), '--id', 'gone'], env, /[1-9]\/12 done/);
      assert.equal(again.code, 130, again.stderr);
      const cancelled = await run(['search', 'cancel', 'local/cli/gone'], env);
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.match(cancelled.stderr, /search local\/cli\/gone \(random\): Cancelled/);
      const after = lastJson<{ status: string; progress: { phase: string } }>((await run(['search', 'status', 'local/cli/gone', '--json'], env)).stdout);
      assert.deepEqual([after.status, after.progress.phase], ['COMPLETED', 'Cancelled']);
      const refused = await run(['search', 'pause', 'local/cli/gone'], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /search local\/cli\/gone has already ended \(workflow COMPLETED, phase Cancelled\)/);
    }));

  it('a second search run shares the embedded server; the last command to finish stops it', () =>
    inTempHome(async (dir, env) => {
      // Overlap by construction, not by timing: the first search has a budget it never reaches and
      // is stopped only once the second command has joined its server.
      const home = join(dir, 'home');
      writeFileSync(join(dir, 'long.yaml'), benchmarkSpec(dir, 'long', 500, 10, 3));
      writeFileSync(join(dir, 'short.yaml'), benchmarkSpec(dir, 'short', 4, 10, 4));
      let second: Promise<CliRun> | undefined;
      let stop: Promise<CliRun> | undefined;
      let pidWhenFirstStarted: number | undefined;
      let pidWhenSecondStarted: number | undefined;
      let secondEnded = false;
      let aliveWhenFirstEnded: boolean | undefined;
      const first = run(['search', 'run', join(dir, 'long.yaml'), '--json', '--id', 'a'], env, (text) => {
        if (second || !/search local\/long\/a started/.test(text)) return;
        pidWhenFirstStarted = serverRecord(home)?.pid;
        second = run(['search', 'run', join(dir, 'short.yaml'), '--json', '--id', 'b'], env, (text2) => {
          if (stop || !/search local\/short\/b started/.test(text2)) return;
          pidWhenSecondStarted = serverRecord(home)?.pid;
          stop = run(['search', 'stop', 'local/long/a'], env);
        });
        void second.then(() => (secondEnded = true));
      }).then((r) => {
        if (!secondEnded && pidWhenFirstStarted !== undefined) aliveWhenFirstEnded = serverRuns(pidWhenFirstStarted);
        return r;
      });
      const firstDone = await first;
      assert.equal(firstDone.code, 0, firstDone.stderr);
      assert.ok(second && stop, 'the second command started while the first search ran, and then stopped it');
      const [secondDone, stopDone] = await Promise.all([second, stop]);
      assert.equal(stopDone.code, 0, stopDone.stderr);
      assert.equal(secondDone.code, 0, secondDone.stderr);

      assert.ok(pidWhenFirstStarted !== undefined && !isAlive(pidWhenFirstStarted), 'the last command to finish stopped the server');
      assert.equal(pidWhenSecondStarted, pidWhenFirstStarted, "the second command joined the first one's server");
      if (aliveWhenFirstEnded !== undefined) assert.ok(aliveWhenFirstEnded, 'the first command left the server running for the second');
      const stopped = lastJson<{ phase: string; trials: { succeeded: number } }>(firstDone.stdout);
      assert.equal(stopped.phase, 'Succeeded');
      assert.ok(stopped.trials.succeeded < 500, 'stopped early');
      const summary = lastJson<{ phase: string; trials: { succeeded: number } }>(secondDone.stdout);
      assert.equal(summary.phase, 'Succeeded');
      assert.equal(summary.trials.succeeded, 4);
    }));
});

/** Runs the CLI as a terminal's foreground job and sends Ctrl-C to its process group once `when` shows on stderr. */
function ctrlC(args: string[], env: NodeJS.ProcessEnv, when: RegExp): Promise<CliRun> {
  let sent = false;
  return run(
    args,
    env,
    (text, kill) => {
      if (!sent && when.test(text)) {
        sent = true;
        kill('SIGINT');
      }
    },
    { group: true },
  );
}
