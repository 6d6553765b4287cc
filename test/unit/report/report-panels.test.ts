/**
 * The search report's algorithm and timeline panels as pure functions: given records or a stored
 * state, what is drawn (issue 18 item 1). The states are the real algorithms' (run a few steps on
 * NAS-Bench-201), so a change of their state shape breaks these tests rather than the page.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AttemptRecord, BenchmarkResult } from '../../../src/api/trial-result.js';
import type { AlgorithmState } from '../../../src/algorithms/types.js';
import { trialIdsFor } from '../../../src/algorithms/types.js';
import { ControllerSearch } from '../../../src/algorithms/rl/controller-search.js';
import { PnasSearch } from '../../../src/algorithms/pnas/pnas-search.js';
import { PonasSearch } from '../../../src/algorithms/ponas/ponas-search.js';
import { timelineModel, timelineSvg } from '../../../src/report/timeline.js';
import { controllerModel, controllerPanel } from '../../../src/report/controller-panel.js';
import { surrogateModel, surrogatePanel } from '../../../src/report/surrogate-panel.js';
import { ponasModel, ponasPanel } from '../../../src/report/ponas-panel.js';
import { blockStages, drawBlocks } from '../../../src/report/block-svg.js';
import { renderSearchReport } from '../../../src/report/search-report.js';
import { parseResourceName, reportTargetOf } from '../../../src/kube/report-target.js';
import type { NeuralArchitectureSearch } from '../../../src/api/resource-spec.js';
import type { TrialRecord } from '../../../src/search/trial-records.js';
import { nb201Space, NB201_OPS, type Nb201Genotype } from '../../../src/space/nb201.js';
import { getSpace } from '../../../src/space/index.js';
import { Rng } from '../../../src/common/rng.js';

/** A seeded sample of a space as trial-spec JSON. */
const sampleOf = (space: string, seed: number): unknown => {
  const sp = getSpace(space);
  return sp.serialize(sp.sample(Rng.seeded(seed)));
};
const MNASNET_A1 = sampleOf('mnasnet', 1);
const PONAS_A = sampleOf('ponas', 2);

const S = 'local/panels/p1';
const attempt = (n: number, outcome: AttemptRecord['outcome'], start: number, end: number, host?: string): AttemptRecord => ({
  schemaVersion: 1,
  attempt: n,
  outcome,
  startedAtMs: start,
  endedAtMs: end,
  worker: 'w1',
  ...(host ? { host } : {}),
  ...(outcome === 'succeeded' ? { exitCode: 0 } : { exitCode: 137, reason: 'evicted <node>' }),
});
const acc = (g: Nb201Genotype) => 60 + g.edges.filter((op) => op === 'nor_conv_3x3').length * 3 + g.edges.filter((op) => op === 'skip_connect').length;

void describe('timeline model', () => {
  const trials: TrialRecord[] = [
    { trialId: `${S}/0/0`, attempts: 2, attemptRecords: [attempt(1, 'infra', 1000, 5000), attempt(2, 'succeeded', 6000, 9000)] },
    { trialId: `${S}/0/1`, attempts: 1, attemptRecords: [attempt(1, 'succeeded', 2000, 4000)] },
    { trialId: `${S}/0/2`, attempts: 1, attemptRecords: [attempt(1, 'user', 4500, 7000)] },
    { trialId: `${S}/0/3`, attempts: 0 },
  ];

  void it('packs overlapping attempts into slots of one host, keeps retries and failures, and counts trials without records', () => {
    const m = timelineModel(trials);
    assert.equal(m.t0Ms, 1000);
    assert.deepEqual(m.lanes, ['slot 1', 'slot 2']);
    // 0/0#1 [0,4] slot 1; 0/1 [1,3] slot 2; 0/2 [3.5,6] slot 2 (0/1 ended); 0/0#2 [5,8] slot 1.
    assert.deepEqual(
      m.bars.map((b) => [b.trialId.slice(-3), b.attempt, b.outcome, b.start, b.end, b.lane]),
      [
        ['0/0', 1, 'infra', 0, 4, 0],
        ['0/1', 1, 'succeeded', 1, 3, 1],
        ['0/2', 1, 'user', 3.5, 6, 1],
        ['0/0', 2, 'succeeded', 5, 8, 0],
      ],
    );
    assert.deepEqual([m.unrecorded, m.retries, m.failures], [1, 1, 2]);
    assert.ok(m.notes.some((n) => n.includes('not recorded for Kubernetes')));
  });

  void it('gives each host its own lanes when attempts ran on several', () => {
    const m = timelineModel([
      { trialId: 'a', attempts: 1, attemptRecords: [attempt(1, 'succeeded', 0, 10, 'node-b')] },
      { trialId: 'b', attempts: 1, attemptRecords: [attempt(1, 'succeeded', 0, 10, 'node-a')] },
      { trialId: 'c', attempts: 1, attemptRecords: [attempt(1, 'succeeded', 5, 10, 'node-a')] },
    ]);
    assert.deepEqual(m.lanes, ['node-a · 1', 'node-a · 2', 'node-b · 1']);
    assert.deepEqual(
      m.bars.map((b) => [b.trialId, b.lane]),
      [
        ['b', 0],
        ['c', 1],
        ['a', 2],
      ],
    );
  });

  void it('draws one bar per attempt, a dashed link per retry, escaped tooltips; says so when there are no records', () => {
    const svg = timelineSvg(timelineModel(trials));
    assert.equal(svg.match(/<rect class="bar /g)?.length, 4);
    assert.equal(svg.match(/class="bar succeeded retry"/g)?.length, 1);
    assert.equal(svg.match(/class="retry-link"/g)?.length, 1);
    assert.ok(svg.includes('evicted &lt;node&gt;') && !svg.includes('<node>'));
    assert.match(timelineSvg(timelineModel([{ trialId: 'x', attempts: 0 }])), /no attempt record in this search/);
  });
});

void describe('RL controller panel', () => {
  void it('draws reward, baseline and entropy per update from a real controller state', () => {
    const algo = ControllerSearch.create('mnasnet-rl', nb201Space, 3, { hidden: 4, batchSize: 2, method: 'reinforce' });
    for (let s = 0; s < 10; s++) {
      const [p] = algo.propose(trialIdsFor('c', s, 1));
      assert.ok(p);
      algo.observe([{ trialId: p.trialId, status: 'succeeded', accuracy: acc(p.genotype) }]);
    }
    const m = controllerModel(JSON.parse(JSON.stringify(algo.state())) as AlgorithmState);
    assert.ok(m);
    assert.equal(m.algorithm, 'mnasnet-rl');
    assert.equal(m.records.length, algo.updates());
    assert.deepEqual(m.records, algo.updateHistory());
    const html = controllerPanel(m);
    assert.equal(html.match(/<path class="line s-reward"/g)?.length, 1);
    assert.equal(html.match(/<path class="line s-baseline"/g)?.length, 1);
    assert.equal(html.match(/<circle class="dot s-entropy"/g)?.length, m.records.length);
  });

  void it('says when the state predates the history, and is absent for other algorithms', () => {
    const old = {
      algorithm: 'nasnet-rl',
      space: 'nb201',
      version: 1,
      counts: {},
      rng: {},
      data: { trials: [], algo: { updates: 4 } },
    } as unknown as AlgorithmState;
    const m = controllerModel(old);
    assert.ok(m && !m.hasHistory);
    assert.match(controllerPanel(m), /has no update history/);
    assert.equal(controllerModel({ ...old, algorithm: 'pnas' }), undefined);
    assert.equal(controllerModel(undefined), undefined);
  });
});

void describe('PNAS surrogate panel', () => {
  void it('pairs each beam trial’s prediction with its measurement, one colour per beam, with the rank correlations', () => {
    const algo = PnasSearch.create(nb201Space, 5, { beam: 4, initial: 6, pool: 40, surrogate: { epochs: 5, members: 2, hidden: 8 } });
    let round = 0;
    while (algo.state().counts.succeeded < 14 && round < 20) {
      const proposals = algo.propose(trialIdsFor('p', round++, 6));
      algo.observe(proposals.map((p) => ({ trialId: p.trialId, status: 'succeeded' as const, accuracy: acc(p.genotype) })));
    }
    const m = surrogateModel(JSON.parse(JSON.stringify(algo.state())) as AlgorithmState);
    assert.ok(m);
    assert.ok(m.points.length >= 4, `${m.points.length} predicted trials`);
    assert.ok(
      m.points.every((p) => typeof p.beam === 'number' && p.beam >= 2),
      'the first round is random: no predictions',
    );
    assert.deepEqual(
      m.correlations.map((c) => c.round),
      algo.correlations().map((c) => c.round),
    );
    const html = surrogatePanel(m);
    assert.equal(html.match(/<circle class="dot beam-/g)?.length, m.points.length);
    assert.match(html, /class="diagonal"/);
    assert.match(html, /id="surrogate-beams"/);
  });

  void it('says when no predicted trial has finished', () => {
    const algo = PnasSearch.create(nb201Space, 5, { initial: 3 });
    const m = surrogateModel(algo.state());
    assert.ok(m);
    assert.match(surrogatePanel(m), /no beam chosen by the surrogate has finished yet/);
  });
});

void describe('PONAS panel', () => {
  const filled = () => {
    const algo = PonasSearch.create(nb201Space, 7);
    for (let round = 0; round < 20 && !algo.table().every((row) => row.every((v) => v !== null)); round++) {
      const proposals = algo.propose(trialIdsFor('t', round, 5));
      algo.observe(proposals.map((p) => ({ trialId: p.trialId, status: 'succeeded' as const, accuracy: acc(p.genotype) })));
    }
    return algo;
  };

  void it('draws the table as a heat map and the selected path: the per-layer best without a budget', () => {
    const algo = filled();
    const m = ponasModel(JSON.parse(JSON.stringify(algo.state())) as AlgorithmState);
    assert.ok(m);
    assert.deepEqual(m.candidates, [...NB201_OPS]);
    assert.equal(m.layers[0], 'edge 0→1');
    assert.deepEqual(m.table, algo.table());
    assert.equal(m.filled, 30);
    const argmax = m.table.map((row) => row.indexOf(Math.max(...row.map((v) => v ?? -Infinity))));
    assert.deepEqual(m.pick, argmax);
    assert.deepEqual(m.pick, algo.selection().pick?.choice);
    const html = ponasPanel(m);
    assert.equal(html.match(/<rect class="heat/g)?.length, 30);
    assert.equal(html.match(/class="heat picked"/g)?.length, 6);
    assert.match(html, /<path id="ponas-path"/);
    assert.match(html, /id="ponas-pick">Selected path: edge 0→1/);
  });

  void it('shows unmeasured entries and no path before the table has any', () => {
    const m = ponasModel(PonasSearch.create(nb201Space, 7).state());
    assert.ok(m && m.pick === undefined);
    const html = ponasPanel(m);
    assert.equal(html.match(/class="heat empty"/g)?.length, 30);
    assert.match(html, /no selected path: no table entry is measured yet/);
  });
});

void describe('block network drawings', () => {
  void it('draws every stage of a MnasNet and a PONAS network with its op, kernel and channels', () => {
    const mnas = blockStages('mnasnet', MNASNET_A1);
    assert.equal(mnas?.length, 7);
    const svg = drawBlocks('m', 'mnasnet', MNASNET_A1) ?? '';
    assert.equal(svg.match(/<g class="stage">/g)?.length, 7);
    const stages = mnas ?? [];
    assert.deepEqual(
      [...svg.matchAll(/>(\d+) ch</g)].map((m) => Number(m[1])),
      stages.map((st) => st.out),
    );
    assert.equal(svg.match(/>MBConv e\d</g)?.length ?? 0, stages.filter((st) => st.type === 'ir').length);
    const ponas = drawBlocks('p', 'ponas', PONAS_A) ?? '';
    assert.equal(ponas.match(/<g class="stage">/g)?.length, 20);
    assert.equal(drawBlocks('x', 'nb201', { edges: [] }), undefined);
    assert.equal(drawBlocks('x', 'mnasnet', { blocks: '<script>' }), undefined, 'unparsable genotypes are not drawn');
  });

  void it('puts block drawings in the top networks of a MnasNet search', () => {
    const result: BenchmarkResult = {
      schemaVersion: 1,
      kind: 'benchmark',
      benchmark: 'x',
      valAccuracy: 0.7,
      testAccuracy: 0.7,
      simulatedSeconds: 1,
      readyAtMs: 0,
    };
    const html = renderSearchReport({
      searchId: S,
      generatedAt: 'now',
      trials: [{ trialId: `${S}/0/0`, attempts: 1, space: 'mnasnet', genotype: MNASNET_A1, result }],
    });
    assert.match(html, /<figure class="cell blocks"><svg id="top-1-blocks"/);
  });
});

void describe('report target of a NeuralArchitectureSearch', () => {
  const nas = (status?: NeuralArchitectureSearch['status']): NeuralArchitectureSearch =>
    ({
      apiVersion: 'nasflow.io/v1alpha1',
      kind: 'NeuralArchitectureSearch',
      metadata: { namespace: 'team', name: 'cifar', uid: 'u-1' },
      spec: { storage: 's3://bucket/nas', storageSecretRef: { name: 's3-creds' } },
      ...(status ? { status } : {}),
    }) as NeuralArchitectureSearch;

  void it('takes the search id from the workflow id, else from the uid, and the storage from the spec', () => {
    assert.deepEqual(reportTargetOf(nas({ workflowId: 'nas/team/cifar/u-1' })), {
      searchId: 'team/cifar/u-1',
      storage: 's3://bucket/nas',
      secret: 's3-creds',
      source: 'NeuralArchitectureSearch team/cifar (uid u-1)',
    });
    assert.equal(reportTargetOf(nas()).searchId, 'team/cifar/u-1');
  });

  void it('names the flag and the form when --resource is malformed', () => {
    assert.deepEqual(parseResourceName('team/cifar'), { namespace: 'team', name: 'cifar' });
    assert.throws(() => parseResourceName('cifar'), /--resource: expected <namespace>\/<name>/);
    assert.throws(() => parseResourceName('a/b/c'), /received "a\/b\/c"/);
  });
});
