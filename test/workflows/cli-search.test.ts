import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run, type CliRun } from '../helpers/cli.js';

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
      assert.match(res.stderr, /bad\.yaml: spec\.algorithm: set exactly one of random, evolution, nasnetRL, mnasnetRL, pnas, ponas; received none/);
    }));

  it('runs a search to the end, pauses it on Ctrl-C, and resumes it to completion', () =>
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

      // Slow trials (~1-3 s each); Ctrl-C once a few are done.
      writeFileSync(join(dir, 'slow.yaml'), benchmarkSpec(dir, 'cli', 12, 10, 5));
      let sent = false;
      const paused = await run(['search', 'run', join(dir, 'slow.yaml'), '--id', 'slow'], env, (text, kill) => {
        if (!sent && /[2-9]\/12 done/.test(text)) {
          sent = true;
          kill('SIGINT');
        }
      });
      assert.equal(paused.code, 130, paused.stderr);
      assert.match(paused.stderr, /search paused; resume with: nasflow search resume local\/cli\/slow/);

      const resumed = await run(['search', 'resume', 'local/cli/slow', '--json'], env);
      assert.equal(resumed.code, 0, resumed.stderr);
      const final = lastJson<{ phase: string; trials: { succeeded: number } }>(resumed.stdout);
      assert.equal(final.phase, 'Succeeded');
      assert.equal(final.trials.succeeded, 12);
    }));

  it('a second search run shares the embedded server; the first keeps it up until the second is done', () =>
    inTempHome(async (dir, env) => {
      writeFileSync(join(dir, 'short.yaml'), benchmarkSpec(dir, 'short', 4, 10, 3));
      writeFileSync(join(dir, 'long.yaml'), benchmarkSpec(dir, 'long', 14, 10, 3));
      let second: Promise<CliRun> | undefined;
      const first = await run(['search', 'run', join(dir, 'short.yaml'), '--json', '--id', 'a'], env, (text) => {
        // Start the second command once the first one's server is up and its search has started.
        if (!second && /search local\/short\/a started/.test(text)) second = run(['search', 'run', join(dir, 'long.yaml'), '--json', '--id', 'b'], env);
      });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /the embedded Temporal server is still used by nasflow process \d+; keeping it up/);
      const done = await second!;
      assert.equal(done.code, 0, done.stderr);
      const summary = lastJson<{ phase: string; trials: { succeeded: number } }>(done.stdout);
      assert.equal(summary.phase, 'Succeeded');
      assert.equal(summary.trials.succeeded, 14);
    }));
});
