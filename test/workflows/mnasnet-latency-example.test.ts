import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCli, searchSummaryOf } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * examples/mnasnet-latency.yaml as users run it on the embedded default (`nasflow search run`):
 * MnasNet's latency-aware controller on the mnasnet space, every trial trained and then timed by
 * the separate latency step. 2 trials of 200 images instead of 6 of 600 keep the test short.
 */
describe('examples/mnasnet-latency.yaml on the embedded default', () => {
  it('trains, measures each trial in a latency step, and rewards by the measured latency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-mnas-lat-'));
    const env = { ...process.env, NASFLOW_HOME: join(dir, 'home') };
    try {
      const data = join(dir, 'data');
      const synth = await runCli(['dataset', 'synth', '--out', data, '--train', '600', '--test', '100', '--seed', '1'], env);
      assert.equal(synth.code, 0, synth.stderr);
      const spec = parse(readFileSync(join(ROOT, 'examples', 'mnasnet-latency.yaml'), 'utf8')) as {
        space: string;
        latency: { device: string };
        algorithm: { mnasnetRL: { cost: { metric: string } } };
        budget: Record<string, number>;
        trial: Record<string, unknown>;
        [k: string]: unknown;
      };
      assert.equal(spec.space, 'mnasnet');
      assert.equal(spec.algorithm.mnasnetRL.cost.metric, 'latency');
      assert.equal(spec.latency.device, 'pool');
      const storage = join(dir, 'store');
      writeFileSync(
        join(dir, 'spec.yaml'),
        stringify({ ...spec, budget: { ...spec.budget, maxTrials: 2 }, trial: { ...spec.trial, maxTrainSamples: 200 }, dataset: data, storage }),
      );

      const run = await runCli(['search', 'run', join(dir, 'spec.yaml'), '--id', 'm', '--json'], env);
      assert.equal(run.code, 0, run.stderr);
      const summary = searchSummaryOf(run.stdout) as { phase: string; trials: { succeeded: number } };
      assert.equal(summary.phase, 'Succeeded');
      assert.equal(summary.trials.succeeded, 2);

      // Every trial's result, wherever the controller's rounds put it.
      const results = readdirSync(storage, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('/result.json'));
      assert.equal(results.length, 2, results.join('\n'));
      for (const file of results) {
        const r = JSON.parse(readFileSync(join(storage, file), 'utf8')) as {
          latency?: { measuredBy?: string; batches: { batch: number; medianMs: number }[] };
        };
        assert.equal(r.latency?.measuredBy, 'latency-step', `${file} was timed by the latency step`);
        const single = r.latency.batches.find((b) => b.batch === 1);
        assert.ok(single && single.medianMs > 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
