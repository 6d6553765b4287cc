import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchmarkResult, TrainedResult } from '../../../src/api/trial-result.js';
import { drawGenotype } from '../../../src/report/cell-svg.js';
import { esc } from '../../../src/report/html.js';
import { paretoFront, renderSearchReport, reportModel } from '../../../src/report/search-report.js';
import type { TrialRecord } from '../../../src/search/trial-records.js';
import { NASNET_A, PNASNET_5 } from '../../../src/space/index.js';
import { compareTrialIds } from '../../../src/search/trial-records.js';
import { ticks } from '../../../src/report/svg-charts.js';
import { trainedResult } from '../../helpers/trained-result.js';

const SEARCH = 'local/demo/a1';

function bench(valAccuracy: number, cost: number, simulatedSeconds: number): BenchmarkResult {
  return { schemaVersion: 1, kind: 'benchmark', benchmark: 'cifar10', valAccuracy, testAccuracy: valAccuracy, cost, simulatedSeconds, readyAtMs: 0 };
}

const trained = (valAccuracy: number, multAdds: number): TrainedResult => trainedResult(valAccuracy, { multAdds });

// (accuracy, cost): the front is 0/0 (cheapest), 0/2 (best), 0/3 (between); 0/1 is dominated by 0/3, 0/4 by 0/0.
const history: TrialRecord[] = [
  {
    trialId: `${SEARCH}/0/0`,
    attempts: 1,
    space: 'nb201',
    genotype: { edges: ['nor_conv_3x3', 'skip_connect', 'none', 'avg_pool_3x3', 'nor_conv_1x1', 'nor_conv_3x3'] },
    result: bench(0.8, 10, 100),
  },
  { trialId: `${SEARCH}/0/1`, attempts: 1, result: bench(0.82, 30, 50) },
  { trialId: `${SEARCH}/0/2`, attempts: 2, result: bench(0.9, 40, 200) },
  { trialId: `${SEARCH}/0/3`, attempts: 1, result: bench(0.85, 20, 10) },
  { trialId: `${SEARCH}/0/4`, attempts: 1, result: bench(0.7, 25, 10) },
  { trialId: `${SEARCH}/1/0`, attempts: 3 }, // failed or running: no result
];

void describe('search report model', () => {
  void it('finds the Pareto front (max accuracy, min cost), keeping identical points and dropping dominated ones', () => {
    assert.deepEqual(paretoFront([]), []);
    const pts = [
      { id: 'a', accuracy: 80, cost: 10 },
      { id: 'b', accuracy: 80, cost: 10 },
      { id: 'c', accuracy: 80, cost: 11 },
      { id: 'd', accuracy: 79, cost: 5 },
      { id: 'e', accuracy: 90, cost: 50 },
      { id: 'f', accuracy: 85, cost: 50 },
    ];
    assert.deepEqual(paretoFront(pts), ['d', 'a', 'b', 'e']);
  });

  void it('builds the best-so-far curve over trials and summed seconds, and the front of the history', () => {
    const m = reportModel({ searchId: SEARCH, generatedAt: 'now', trials: history });
    assert.deepEqual(
      m.curve.map((c) => [c.n, c.seconds, c.best]),
      [
        [1, 100, 80],
        [2, 150, 82],
        [3, 350, 90],
        [4, 360, 90],
        [5, 370, 90],
      ],
    );
    assert.deepEqual(m.pareto, [`${SEARCH}/0/0`, `${SEARCH}/0/3`, `${SEARCH}/0/2`]);
    assert.equal(m.costLabel, "the spec's cost metric");
    assert.deepEqual(
      m.trials.map((t) => t.status),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'no result'],
    );
  });

  void it('puts axis ticks on round values, whole numbers on a trial axis', () => {
    assert.deepEqual(ticks(0, 10), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(ticks(53.2, 78.1), [55, 60, 65, 70, 75]);
    assert.deepEqual(ticks(0.9, 2.1, 5, true), [1, 2]);
  });

  void it('orders trial ids by round and index numerically', () => {
    const ids = [`${SEARCH}/10/0`, `${SEARCH}/2/10`, `${SEARCH}/2/9`];
    assert.deepEqual([...ids].sort(compareTrialIds), [`${SEARCH}/2/9`, `${SEARCH}/2/10`, `${SEARCH}/10/0`]);
  });
});

void describe('search report page', () => {
  void it('has one table row per trial, both charts, the scatter with the front, and says which panels have no data', () => {
    const html = renderSearchReport({ searchId: SEARCH, generatedAt: '2026-01-01T00:00:00Z', trials: history });
    const table = html.slice(html.indexOf('id="trial-table"'));
    const body = table.slice(table.indexOf('<tbody>'), table.indexOf('</tbody>'));
    assert.equal(body.match(/<tr /g)?.length, history.length);
    for (const id of ['best-vs-trials', 'best-vs-time', 'pareto', 'trial-table', 'top-cells']) assert.match(html, new RegExp(`id="${id}"`));
    assert.equal(html.match(/<circle class="pareto"/g)?.length, 3);
    // No state and no attempt records: both panels say so instead of drawing.
    assert.ok(html.includes(esc('the store holds no algorithm state for this search: no algorithm panel')));
    assert.match(html, /<p class="gap" id="timeline">no attempt record in this search/);
    assert.doesNotMatch(html, /(src|href)="https?:/, 'nothing loads from the network');
  });

  void it('escapes every string from the data: ids, op names and genotype JSON cannot inject markup', () => {
    const evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const trials: TrialRecord[] = [
      {
        trialId: `${SEARCH}/0/0${evil}`,
        attempts: 1,
        space: 'pnas',
        genotype: { blocks: [{ inputs: [0, 1], ops: [evil, 'sep_3x3'], combine: 'add' }] },
        result: bench(0.5, 1, 1),
      },
      { trialId: `${SEARCH}/0/1`, attempts: 1, space: evil, genotype: { weird: evil }, result: bench(0.4, 2, 1) },
    ];
    const html = renderSearchReport({ searchId: evil, generatedAt: evil, trials });
    assert.equal(html.match(/<script/g)?.length, 1, "only the page's own sorting script");
    assert.doesNotMatch(html, /<img/);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    // The drawn cell carries the hostile op name as escaped text on its edge.
    assert.match(html, /<text class="op"[^>]*>&quot;&gt;&lt;script&gt;/);
  });

  void it('draws the top 3 cells: both NASNet cells, the PNAS cell, with every op on an edge', () => {
    const trials: TrialRecord[] = [
      { trialId: `${SEARCH}/0/0`, attempts: 1, space: 'nasnet', genotype: NASNET_A, result: trained(0.9, 5e8) },
      { trialId: `${SEARCH}/0/1`, attempts: 1, space: 'pnas', genotype: PNASNET_5, result: trained(0.8, 4e8) },
      { trialId: `${SEARCH}/0/2`, attempts: 1, space: 'pnas', genotype: PNASNET_5, result: trained(0.7, 3e8) },
      { trialId: `${SEARCH}/0/3`, attempts: 1, space: 'pnas', genotype: PNASNET_5, result: trained(0.6, 2e8) },
    ];
    const html = renderSearchReport({ searchId: SEARCH, generatedAt: 'now', trials });
    assert.equal(html.match(/<section class="top-cell">/g)?.length, 3);
    assert.equal(html.match(/<figure class="cell">/g)?.length, 4); // normal + reduction, then one cell each
    assert.match(html, /M mult-adds/);
    const normal = drawGenotype('t', NASNET_A.normal);
    assert.equal(normal.length, 1);
    const labels = [...(normal[0] ?? '').matchAll(/<text class="op"[^>]*>([^<]*)</g)].map((m) => m[1]);
    assert.deepEqual(labels.sort(), NASNET_A.normal.blocks.flatMap((b) => [...b.ops]).sort());
    assert.deepEqual(drawGenotype('t', { blocks: [{ inputs: [7, 0], ops: ['a', 'b'] }] }), [], 'an out-of-range state is not drawn');
  });
});
