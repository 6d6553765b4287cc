/**
 * `nasflow search report` end to end: a real MnasNet-RL search and a real PONAS search on the
 * NAS-Bench-201 table run on the embedded default, the CLI writes their reports from the searches'
 * storage, and headless Chromium opens the files offline: no console error, the charts, the front,
 * the table (and its sorting), the cells, the RL controller's curves, the timeline of attempts,
 * and PONAS's heat map with its selected path are in the pages. Screenshots are written for a
 * person to look at; the test prints where.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderSearchReport } from '../../../src/report/search-report.js';
import { NASNET_A, PNASNET_5 } from '../../../src/space/index.js';
import { findChromium, visitPage } from '../../helpers/chromium.js';
import { runCli } from '../../helpers/cli.js';

const chromium = findChromium();
const SKIP = 'chromium not installed; as root run: apt-get install -y --no-install-recommends chromium (npm run tools does it)';
/** Where the screenshots stay after the test, for a person to look at. */
const SHOTS = join(tmpdir(), 'nasflow-test-output', 'search-report');

function saveShot(t: TestContext, name: string, png: Buffer): void {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, name);
  writeFileSync(file, png);
  t.diagnostic(`screenshot: ${file} (${png.length} bytes)`);
}

const SPEC = (store: string) =>
  [
    'name: report',
    'algorithm: {mnasnetRL: {batchSize: 4, hidden: 8, cost: {metric: flops, target: 100, constraint: soft}}}',
    'space: nb201',
    'evaluator: {type: benchmark, benchmark: nb201-cifar10, secondsPerSimulatedHour: 0}',
    'budget: {maxTrials: 12, parallelism: 4}',
    `storage: ${store}`,
    'seed: 11',
    '',
  ].join('\n');

// PONAS on the NAS-Bench-201 table: the 30 (edge, op) entries fill from 25 trials (one context per
// row after the first is already known), in 6 rounds; the 26th trial trains the selection.
const PONAS_SPEC = (store: string) =>
  [
    'name: ponas-report',
    'algorithm: {ponas: {}}',
    'space: nb201',
    'evaluator: {type: benchmark, benchmark: nb201-cifar10, secondsPerSimulatedHour: 0}',
    'budget: {maxTrials: 26, parallelism: 5}',
    `storage: ${store}`,
    'seed: 5',
    '',
  ].join('\n');

// Page probes, evaluated in order after load.
const PROBES = [
  `document.querySelectorAll('#trial-table tbody tr').length`,
  `[document.querySelectorAll('#best-vs-trials circle.obs').length, document.querySelectorAll('#best-vs-time path.best').length]`,
  `[document.querySelectorAll('#pareto circle.pareto').length, document.querySelectorAll('#pareto-set code').length, document.getElementById('pareto').getBoundingClientRect().width]`,
  `document.querySelectorAll('#top-cells figure.cell svg text.op').length`,
  `[document.querySelectorAll('#controller-reward path.line').length, document.querySelectorAll('#controller-entropy circle.dot').length, document.querySelectorAll('#timeline rect.bar').length]`,
  // Two clicks on the accuracy header: ascending, then descending.
  `(() => { const th = [...document.querySelectorAll('#trial-table th')].find((h) => h.textContent.startsWith('val accuracy')); th.click(); th.click();
     return [...document.querySelectorAll('#trial-table tbody tr')].map((r) => Number(r.cells[6].dataset.v)); })()`,
];

void describe('search report in headless Chromium', () => {
  void it('catches a page error and a network load (the probe can fail)', async (t) => {
    if (!chromium) return t.skip(SKIP);
    const page = 'data:text/html,<p>x</p><img src="https://cdn.invalid/x.png"><script>throw new Error("control")</script>';
    const visit = await visitPage(chromium, page, ['document.querySelectorAll("p").length']);
    assert.deepEqual(visit.values, [1]);
    assert.ok(
      visit.errors.some((e) => e.includes('control')),
      visit.errors.join('\n'),
    );
    assert.ok(
      visit.errors.some((e) => e.includes('cdn.invalid')),
      visit.errors.join('\n'),
    );
  });

  void it('renders the report of a real search offline, without console errors', { timeout: 300_000 }, async (t) => {
    if (!chromium) return t.skip(SKIP);
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-report-'));
    try {
      const env = { ...process.env, NASFLOW_HOME: join(dir, 'home') };
      writeFileSync(join(dir, 'spec.yaml'), SPEC(join(dir, 'store')));
      const run = await runCli(['search', 'run', join(dir, 'spec.yaml'), '--json', '--id', 'r1'], env);
      assert.equal(run.code, 0, run.stderr);
      // The summary is the last JSON line; the SDK's own warnings (slow workflow tasks on a loaded machine) may follow it.
      const summary = run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{"searchId"'))
        .pop();
      const best = (JSON.parse(summary ?? '{}') as { best: { valAccuracy: number } }).best.valAccuracy;

      const out = join(dir, 'report.html');
      const made = await runCli(['search', 'report', 'local/report/r1', '--storage', join(dir, 'store'), '--out', out], env);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /wrote the report of 12 trials to /);
      assert.doesNotMatch(readFileSync(out, 'utf8'), /(src|href)="https?:/, 'the file loads nothing');

      const visit = await visitPage(chromium, pathToFileURL(out).href, PROBES, 2600);
      saveShot(t, 'search-report.png', visit.png);
      assert.deepEqual(visit.errors, []);
      const [rows, [dots, bestLines], [frontDots, frontIds, width], ops, [rewardLines, entropyDots, bars], sorted] = visit.values as [
        number,
        [number, number],
        [number, number, number],
        number,
        [number, number, number],
        number[],
      ];
      // 12 trials in batches of 4: about 3 controller updates (more when known samples feed it); every attempt ran once.
      assert.equal(rewardLines, 2, 'reward and baseline lines');
      assert.ok(entropyDots >= 2 && entropyDots <= 12, `${entropyDots} updates drawn`);
      assert.equal(bars, 12, 'one timeline bar per attempt');
      assert.equal(rows, 12);
      assert.deepEqual([dots, bestLines], [12, 1]);
      assert.ok(frontDots >= 1 && frontDots === frontIds, `front: ${frontDots} dots, ${frontIds} ids`);
      assert.ok(width > 300, `the scatter is laid out (${width} px wide)`);
      assert.ok(ops >= 3, `the top 3 NAS-Bench-201 cells carry their ops (${ops} labels)`);
      assert.deepEqual(
        sorted,
        [...sorted].sort((a, b) => b - a),
        'descending after two clicks',
      );
      assert.ok(Math.abs((sorted[0] ?? 0) - best) < 0.01, `the table's best ${sorted[0]} is the search's best ${best}`);
      assert.ok(visit.png.length > 20_000 && visit.png.subarray(1, 4).toString() === 'PNG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('renders the report of a real PONAS search: the accuracy table as a heat map and the selected path', { timeout: 600_000 }, async (t) => {
    if (!chromium) return t.skip(SKIP);
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-report-'));
    try {
      const env = { ...process.env, NASFLOW_HOME: join(dir, 'home') };
      writeFileSync(join(dir, 'spec.yaml'), PONAS_SPEC(join(dir, 'store')));
      const run = await runCli(['search', 'run', join(dir, 'spec.yaml'), '--json', '--id', 'p1'], env);
      assert.equal(run.code, 0, run.stderr);
      const out = join(dir, 'ponas.html');
      const made = await runCli(['search', 'report', 'local/ponas-report/p1', '--storage', join(dir, 'store'), '--out', out], env);
      assert.equal(made.code, 0, made.stderr);
      const visit = await visitPage(chromium, pathToFileURL(out).href, [
        `[document.querySelectorAll('#ponas-heatmap rect.heat').length, document.querySelectorAll('#ponas-heatmap rect.heat.empty').length]`,
        `[...document.querySelectorAll('#ponas-heatmap rect.heat.picked')].map((r) => [Number(r.dataset.layer), Number(r.dataset.candidate)])`,
        `[...document.querySelectorAll('#ponas-heatmap rect.heat')].map((r) => Number(r.nextElementSibling.textContent))`,
        `document.getElementById('ponas-path').getTotalLength() > 0 && document.getElementById('ponas-heatmap').getBoundingClientRect().width > 300`,
        `document.getElementById('ponas-pick').textContent`,
        `document.querySelectorAll('#timeline rect.bar').length === document.querySelectorAll('#trial-table tbody tr').length`,
      ]);
      saveShot(t, 'ponas-report.png', visit.png);
      assert.deepEqual(visit.errors, []);
      const [[cells, empty], picked, values, pathDrawn, pickText, oneBarPerTrial] = visit.values as [
        [number, number],
        [number, number][],
        number[],
        boolean,
        string,
        boolean,
      ];
      assert.deepEqual([cells, empty], [30, 0], 'NAS-Bench-201: 6 edges x 5 ops, all measured');
      assert.deepEqual(
        picked.map(([l]) => l),
        [0, 1, 2, 3, 4, 5],
        'one selected candidate per layer',
      );
      // Without a budget the selection is each layer's best entry.
      for (const [l, c] of picked) {
        const row = values.slice(l * 5, l * 5 + 5);
        assert.equal(row[c], Math.max(...row), `layer ${l}: candidate ${c} of ${row.join(', ')}`);
      }
      assert.equal(pathDrawn, true);
      assert.match(pickText, /^Selected path: edge 0→1 /);
      assert.equal(oneBarPerTrial, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('draws NASNet-A and PNASNet-5 cells in the browser', async (t) => {
    if (!chromium) return t.skip(SKIP);
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-report-'));
    try {
      const result = (valAccuracy: number) => ({
        schemaVersion: 1 as const,
        kind: 'benchmark' as const,
        benchmark: 'x',
        valAccuracy,
        testAccuracy: valAccuracy,
        simulatedSeconds: 1,
        readyAtMs: 0,
      });
      const html = renderSearchReport({
        searchId: 'reference-cells',
        generatedAt: new Date(0).toISOString(),
        trials: [
          { trialId: 'reference-cells/0/0', attempts: 1, space: 'nasnet', genotype: NASNET_A, result: result(0.9) },
          { trialId: 'reference-cells/0/1', attempts: 1, space: 'pnas', genotype: PNASNET_5, result: result(0.8) },
        ],
      });
      writeFileSync(join(dir, 'cells.html'), html);
      const visit = await visitPage(chromium, pathToFileURL(join(dir, 'cells.html')).href, [
        `[...document.querySelectorAll('#top-cells figure.cell')].map((f) => f.querySelectorAll('text.op').length)`,
        `[...document.querySelectorAll('#top-cells figure.cell svg')].every((s) => s.getBoundingClientRect().height > 100)`,
      ]);
      saveShot(t, 'reference-cells.png', visit.png);
      assert.deepEqual(visit.errors, []);
      assert.deepEqual(visit.values, [[10, 10, 10], true]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
