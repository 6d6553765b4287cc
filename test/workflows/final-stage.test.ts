import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCli, searchSummaryOf } from '../helpers/cli.js';
import { findChromium, visitPage } from '../helpers/chromium.js';
import { at } from '../../src/common/indexing.js';
import { LocalStore } from '../../src/store/local-store.js';
import { trialResultKey, trialSpecKey } from '../../src/api/store-layout.js';
import { getJson } from '../../src/store/object-store.js';
import type { FinalProgress } from '../../src/common/search-types.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * The quickstart as users run it (README), with its `final` stage: the search's top 2
 * architectures train again at the larger size as trials of the same workflow, and the CLI
 * reports their accuracy beside the search accuracy. 4 search trials instead of 8 and a third of the
 * README's synthetic data (500 training images instead of 1,500) keep the test shorter; everything
 * else is examples/quickstart.yaml.
 */
describe('final training of the quickstart (spec final)', () => {
  it('retrains the top 2 architectures at the final size end to end and reports them beside the search', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-final-'));
    const env = { ...process.env, NASFLOW_HOME: join(dir, 'home') };
    try {
      const data = join(dir, 'data');
      const synth = await runCli(['dataset', 'synth', '--out', data, '--train', '500', '--test', '100', '--seed', '1', '--noise', '96'], env);
      assert.equal(synth.code, 0, synth.stderr);
      const spec = parse(readFileSync(join(ROOT, 'examples', 'quickstart.yaml'), 'utf8')) as {
        final: { topK: number; macro: { cellsPerStage: number }; trial: { epochs: number } };
        macro: { cellsPerStage: number; filters: number };
        budget: { maxTrials: number };
        [k: string]: unknown;
      };
      assert.equal(spec.final.topK, 2, 'the quickstart retrains its top 2');
      assert.ok(spec.final.macro.cellsPerStage > spec.macro.cellsPerStage, 'at a larger size');
      const storage = join(dir, 'store');
      writeFileSync(join(dir, 'quickstart.yaml'), stringify({ ...spec, budget: { ...spec.budget, maxTrials: 4 }, dataset: data, storage }));

      const run = await runCli(['search', 'run', join(dir, 'quickstart.yaml'), '--id', 'q', '--json'], env);
      assert.equal(run.code, 0, run.stderr);
      const summary = searchSummaryOf(run.stdout) as { phase: string; trials: { succeeded: number }; final?: FinalProgress };
      assert.equal(summary.phase, 'Succeeded');
      assert.equal(summary.trials.succeeded, 4, 'final trials are not search trials');
      const final = summary.final;
      assert.ok(final, 'the summary carries the final stage');
      assert.equal(final.stage, 'done');
      assert.equal(final.trials.length, 2);
      assert.match(final.size, /^N=2 F=4 3 epochs$/);

      // The sources are the search's top 2 by validation accuracy, in order.
      const store = new LocalStore(storage);
      const searchId = 'local/quickstart/q';
      const searchAccuracy = async (trialId: string) => ((await getJson(store, trialResultKey(searchId, trialId))) as { valAccuracy: number }).valAccuracy;
      const ranked: { id: string; acc: number }[] = [];
      for (const round of [0, 1, 2, 3]) {
        for (const index of [0, 1]) {
          const id = `${searchId}/${round}/${index}`;
          const acc = await searchAccuracy(id).catch(() => undefined);
          if (acc !== undefined) ranked.push({ id, acc });
        }
      }
      ranked.sort((a, b) => b.acc - a.acc || (a.id < b.id ? -1 : 1));
      assert.deepEqual(
        final.trials.map((t) => t.sourceTrialId),
        ranked.slice(0, 2).map((r) => r.id),
      );

      for (const [k, t] of final.trials.entries()) {
        assert.equal(t.trialId, `${searchId}/final/${k}`);
        assert.equal(t.status, 'succeeded', t.reason);
        assert.ok(t.accuracy !== undefined && t.accuracy > 0 && t.accuracy <= 100);
        const finalSpec = (await getJson(store, trialSpecKey(searchId, t.trialId))) as {
          genotype: unknown;
          macro: { cellsPerStage: number };
          recipe: { epochs: number };
        };
        const sourceSpec = (await getJson(store, trialSpecKey(searchId, t.sourceTrialId))) as { genotype: unknown; macro: { cellsPerStage: number } };
        assert.deepEqual(finalSpec.genotype, sourceSpec.genotype, 'the same architecture');
        assert.deepEqual([finalSpec.macro.cellsPerStage, finalSpec.recipe.epochs], [2, 3]);
        const finalResult = (await getJson(store, trialResultKey(searchId, t.trialId))) as { params: number; epochs?: number };
        const sourceResult = (await getJson(store, trialResultKey(searchId, t.sourceTrialId))) as { params: number };
        assert.ok(finalResult.params > sourceResult.params, `the final network is larger (${finalResult.params} vs ${sourceResult.params} parameters)`);
      }
      // The closing report shows each final accuracy beside the search accuracy.
      assert.match(run.stderr, /final training \(N=2 F=4 3 epochs\):\n {2}# {3}search {6}final {2}final test {2}status {5}trial\n/);
      const first = at(final.trials, 0, 'final trial');
      assert.match(
        run.stderr,
        new RegExp(`  1 +${first.searchAccuracy.toFixed(2)}% +${first.accuracy!.toFixed(2)}% .* succeeded +${first.trialId.replace(/\//g, '\\/')} \\(from `),
      );

      // export --final picks among the final trainings; without it, among the search trials.
      const bestFinal = [...final.trials].sort((a, b) => b.accuracy! - a.accuracy! || (a.trialId < b.trialId ? -1 : 1))[0]!;
      const exported = await runCli(['search', 'export', searchId, '--storage', storage, '--final', '--out', join(dir, 'final-model'), '--json'], env);
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal((JSON.parse(exported.stdout.trim()) as { trialId: string }).trialId, bestFinal.trialId);
      const searchBest = await runCli(['search', 'export', searchId, '--storage', storage, '--out', join(dir, 'search-model'), '--json'], env);
      assert.equal(searchBest.code, 0, searchBest.stderr);
      assert.equal((JSON.parse(searchBest.stdout.trim()) as { trialId: string }).trialId, at(ranked, 0, 'search best').id);

      // The search report of the quickstart: the search's trials in its charts and table, the final
      // trainings in their own panel; opened offline in headless Chromium without a console error.
      const page = join(dir, 'report.html');
      const report = await runCli(['search', 'report', searchId, '--storage', storage, '--out', page], env);
      assert.equal(report.code, 0, report.stderr);
      const html = readFileSync(page, 'utf8');
      assert.match(html, /<h2>Final training<\/h2>/);
      const chromium = findChromium();
      if (!chromium) t.diagnostic('chromium not installed (npm run tools installs it as root): the report was checked as HTML only');
      else {
        const visit = await visitPage(chromium, pathToFileURL(page).href, [
          `document.querySelectorAll('#trial-table tbody tr').length`,
          `document.querySelectorAll('#final tbody tr').length`,
          `document.querySelectorAll('#top-cells figure.cell svg').length`,
        ]);
        const shots = join(tmpdir(), 'nasflow-test-output', 'final-stage');
        mkdirSync(shots, { recursive: true });
        writeFileSync(join(shots, 'quickstart-report.png'), visit.png);
        t.diagnostic(`screenshot: ${join(shots, 'quickstart-report.png')}`);
        assert.deepEqual(visit.errors, []);
        assert.deepEqual(visit.values.slice(0, 2), [4, 2], 'four search trials in the table, two final trainings in their panel');
        assert.ok((visit.values[2] as number) >= 2, 'the top cells are drawn');
      }

      // A finished search answers status from its result, final stage included.
      const status = await runCli(['search', 'status', searchId], env);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /final training \(N=2 F=4 3 epochs\):/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
