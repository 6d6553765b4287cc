import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run, type CliRun } from '../helpers/cli.js';

describe('nasflow search run on the embedded default', () => {
  it('rejects a bad spec naming the field and the fix, before starting anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-cli-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nalgorithm: {}\nspace: nb201\nbudget: {maxTrials: 3}\nstorage: ./s\n');
      const res = await run(['search', 'run', join(dir, 'bad.yaml')], { ...process.env, NASFLOW_HOME: join(dir, 'home') });
      assert.equal(res.code, 1);
      assert.match(res.stderr, /bad\.yaml: spec\.algorithm: set exactly one of random, evolution, nasnetRL, mnasnetRL, pnas, ponas; received none/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a search to the end, pauses it on Ctrl-C, and resumes it to completion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-cli-'));
    const env = { ...process.env, NASFLOW_HOME: join(dir, 'home') };
    try {
      const spec = (n: number, pace: number): string =>
        `name: cli\nalgorithm: {random: {}}\nspace: nb201\nevaluator: {type: benchmark, benchmark: nb201-cifar10, secondsPerSimulatedHour: ${pace}}\nbudget: {maxTrials: ${n}, parallelism: 2}\nstorage: ${join(dir, 'store')}\nseed: 5\n`;
      writeFileSync(join(dir, 'fast.yaml'), spec(10, 0));
      const done = await run(['search', 'run', join(dir, 'fast.yaml'), '--json', '--id', 'fast'], env);
      assert.equal(done.code, 0, done.stderr);
      const summary = JSON.parse(done.stdout.trim().split('\n').pop()!) as { searchId: string; phase: string; trials: { succeeded: number }; best: { valAccuracy: number } };
      assert.equal(summary.searchId, 'local/cli/fast');
      assert.equal(summary.phase, 'Succeeded');
      assert.equal(summary.trials.succeeded, 10);
      assert.ok(summary.best.valAccuracy > 0);
      assert.match(done.stderr, /Temporal UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/nas%2Flocal%2Fcli%2Ffast/);

      // Slow trials (~1-3 s each); Ctrl-C once a few are done.
      writeFileSync(join(dir, 'slow.yaml'), spec(12, 10));
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
      const final = JSON.parse(resumed.stdout.trim().split('\n').pop()!) as { phase: string; trials: { succeeded: number } };
      assert.equal(final.phase, 'Succeeded');
      assert.equal(final.trials.succeeded, 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second search run shares the embedded server; the first keeps it up until the second is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-cli-'));
    const env = { ...process.env, NASFLOW_HOME: join(dir, 'home') };
    try {
      const spec = (name: string, n: number): string =>
        `name: ${name}\nalgorithm: {random: {}}\nspace: nb201\nevaluator: {type: benchmark, benchmark: nb201-cifar10, secondsPerSimulatedHour: 10}\nbudget: {maxTrials: ${n}, parallelism: 2}\nstorage: ${join(dir, 'store')}\nseed: 3\n`;
      writeFileSync(join(dir, 'short.yaml'), spec('short', 4));
      writeFileSync(join(dir, 'long.yaml'), spec('long', 14));
      let second: Promise<CliRun> | undefined;
      const first = await run(['search', 'run', join(dir, 'short.yaml'), '--json', '--id', 'a'], env, (text) => {
        // Start the second command once the first one's server is up and its search has started.
        if (!second && /search local\/short\/a started/.test(text)) second = run(['search', 'run', join(dir, 'long.yaml'), '--json', '--id', 'b'], env);
      });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /the embedded Temporal server is still used by nasflow process \d+; keeping it up/);
      const done = await second!;
      assert.equal(done.code, 0, done.stderr);
      const summary = JSON.parse(done.stdout.trim().split('\n').pop()!) as { phase: string; trials: { succeeded: number } };
      assert.equal(summary.phase, 'Succeeded');
      assert.equal(summary.trials.succeeded, 14);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
