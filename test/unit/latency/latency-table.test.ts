/**
 * Latency lookup tables, pure parts: the profile plan prices every key a genotype of the space can
 * ask for (sampled MnasNet and PONAS genotypes, the zoo models), entries are part sums with the
 * call overhead taken off each part and kept once in base, PONAS cost rows from a table sum to the
 * table's prediction, and a bad table is refused naming the field and the fix.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../src/common/rng.js';
import { latencyKeys, tableLatency } from '../../../src/algorithms/rl/latency-table.js';
import { parseLatencyTable } from '../../../src/api/latency-table.js';
import { isSpecError, parseSearchSpec, searchSpecProblems } from '../../../src/api/search-spec.js';
import { mnasnetSpace } from '../../../src/space/mnasnet.js';
import { ponasSpace } from '../../../src/space/ponas.js';
import { assembleTable, profilePlan } from '../../../src/latency/plan.js';
import { predictMs, zooModelsOf, zooNetwork } from '../../../src/latency/predict.js';
import { ponasLatencyCosts } from '../../../src/search/ponas-latency-costs.js';
import { ponasCostTableFor, tableCost } from '../../../src/search/ponas-costs.js';
import { readLatencyTableSync } from '../../../src/latency/table-source.js';
import { madeUpLatencyTable, ponasSpecWith } from '../../helpers/made-up-latency-table.js';

void describe('latency table keys and plan', () => {
  const mnasnet = madeUpLatencyTable('mnasnet', 32);
  const ponas = madeUpLatencyTable('ponas', 32);

  void it('keys a MnasNet block by position, input width and canonical stage, plus the head', () => {
    const g = mnasnetSpace.sample(Rng.seeded(1));
    const keys = latencyKeys(mnasnetSpace, g);
    assert.equal(keys.length, g.blocks.length + 1);
    assert.match(keys[0]!, /^block0\/c32\/(cn|ds|ir)_r\d+_k\d_s1/);
    assert.match(keys.at(-1)!, /^head\/c\d+$/);
    // Two genotypes that differ only in an unusable identity skip are one network: one key list.
    const blocks = g.blocks.map((b, i) => (i === 1 ? { ...b, layerDelta: -1 as const, skip: 'identity' as const } : b));
    const same = blocks.map((b, i) => (i === 1 ? { ...b, skip: 'none' as const } : b));
    assert.deepEqual(latencyKeys(mnasnetSpace, { blocks }), latencyKeys(mnasnetSpace, { blocks: same }));
  });

  void it('the plan prices every key of sampled genotypes and zoo models of both spaces', () => {
    const rng = Rng.seeded(7);
    for (let i = 0; i < 200; i++) {
      assert.ok(Number.isFinite(tableLatency(mnasnetSpace, mnasnetSpace.sample(rng), mnasnet)));
      assert.ok(Number.isFinite(tableLatency(ponasSpace, ponasSpace.sample(rng), ponas)));
    }
    for (const space of ['mnasnet', 'ponas'] as const) {
      for (const m of zooModelsOf(space)) assert.ok(predictMs(space === 'mnasnet' ? mnasnet : ponas, zooNetwork(space, m)) > 0, m);
    }
    assert.equal(Object.keys(ponas.entries).length, 19 * 12);
  });

  void it('a zoo-only MnasNet plan prices the zoo models and nothing else', () => {
    const zooOnly = madeUpLatencyTable('mnasnet', 32, { enumerate: false });
    for (const m of zooModelsOf('mnasnet')) assert.ok(predictMs(zooOnly, zooNetwork('mnasnet', m)) > 0);
    assert.ok(Object.keys(zooOnly.entries).length <= 2 * 8);
    assert.throws(() => tableLatency(mnasnetSpace, mnasnetSpace.sample(Rng.seeded(3)), zooOnly), /latencyTable\.entries\["block/);
  });

  void it('an entry is its parts with the call overhead off each; base keeps one overhead', () => {
    const plan = profilePlan('ponas', { imageSize: 8, classes: 10, slice: { layers: [2], candidates: [0, 11] } });
    assert.deepEqual([...plan.entries.keys()], ['layer2=0', 'layer2=11']);
    assert.equal(plan.parts.length, 4, 'stem + fixed layer, head, two layers');
    const ms = new Map(plan.parts.map((p) => [p.id, 3]));
    const t = assembleTable(plan, ms, 1);
    assert.deepEqual(t.entries, { 'layer2=0': 2, 'layer2=11': 2 });
    assert.equal(t.base, 2 + 2 + 1);
    // A block of r layers: first layer + (r - 1) repeated layers.
    const mn = profilePlan('mnasnet', { imageSize: 32, classes: 10, enumerate: false, extraNetworks: [zooNetwork('mnasnet', 'mnasnet-a1').stages] });
    const terms = mn.entries.get('block3/c40/ir_r4_k3_s2_e6_c80');
    assert.deepEqual(
      terms?.map((t) => t.times),
      [1, 3],
    );
  });
});

void describe('PONAS latency cost rows', () => {
  const table = madeUpLatencyTable('ponas', 32);

  void it('row entries sum to the table prediction, so the budget is in ms', () => {
    const costs = ponasLatencyCosts(table, 32);
    assert.equal(costs.unit, 'ms');
    const rng = Rng.seeded(2);
    for (let i = 0; i < 20; i++) {
      const g = ponasSpace.sample(rng);
      assert.ok(Math.abs(tableCost(costs, ponasSpace.encode(g)) - tableLatency(ponasSpace, g, table)) < 1e-9);
    }
  });

  void it('refuses a table of another space, another input size, or one that lacks a key, naming the field and the fix', () => {
    const field = /^algorithm\.ponas\.cost\.latencyTable: /;
    assert.throws(
      () => ponasLatencyCosts({ ...table, space: 'mnasnet' }, 32),
      (e: Error) => field.test(e.message) && /--space ponas/.test(e.message),
    );
    assert.throws(
      () => ponasLatencyCosts(table, 64),
      (e: Error) => field.test(e.message) && /--image-size 64/.test(e.message) && /cost\.inputSize: 32/.test(e.message),
    );
    const { ['layer7=3']: _dropped, ...rest } = table.entries;
    assert.throws(
      () => ponasLatencyCosts({ ...table, entries: rest }, 32),
      (e: Error) => field.test(e.message) && /"layer7=3"/.test(e.message),
    );
  });

  void it('the spec requires latencyTable with metric latency, and reads it through ponasCostTableFor', () => {
    const base = ponasSpecWith(undefined, 32);
    const missing = searchSpecProblems({ ...base, algorithm: { ponas: { budget: 5, cost: { metric: 'latency' } } } });
    assert.ok(
      missing.some((p) => p.field === 'algorithm.ponas.cost.latencyTable' && /nasflow latency profile/.test(p.problem)),
      JSON.stringify(missing),
    );
    const stray = searchSpecProblems({ ...base, algorithm: { ponas: { cost: { metric: 'flops', latencyTable: '/x.json' } } } });
    assert.ok(stray.some((p) => p.field === 'algorithm.ponas.cost.latencyTable'));

    const dir = mkdtempSync(join(tmpdir(), 'nasflow-lat-'));
    const path = join(dir, 'ponas.json');
    writeFileSync(path, JSON.stringify(table));
    const spec = (uri: string) => parseSearchSpec({ ...base, algorithm: { ponas: { budget: 5, cost: { metric: 'latency', latencyTable: uri } } } });
    const costs = ponasCostTableFor(spec(`file://${path}`));
    assert.deepEqual(costs.costs, ponasLatencyCosts(table, 32).costs);
    const nowhere = join(dir, 'absent.json');
    assert.throws(
      () => ponasCostTableFor(spec(nowhere)),
      (e: unknown) =>
        isSpecError(e) && e.field === 'algorithm.ponas.cost.latencyTable' && /no latency table at/.test(e.message) && /latency profile/.test(e.message),
    );
    writeFileSync(join(dir, 'bad.json'), '{"space": "ponas"}');
    assert.throws(
      () => ponasCostTableFor(spec(join(dir, 'bad.json'))),
      (e: unknown) => isSpecError(e) && /is not a latency table/.test(e.message),
    );
    assert.throws(
      () => readLatencyTableSync(join(dir, 'bad.json'), '--table'),
      (e: Error) => e.message.startsWith('--table: '),
    );
    assert.throws(() => parseLatencyTable('nope', '--table', 'x'), /not JSON/);
  });
});
