import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/common/rng.js';
import { latencyKeys, tableLatency } from '../../../src/algorithms/rl/latency-table.js';
import { ControllerSearch } from '../../../src/algorithms/rl/controller-search.js';
import { mnasnetReward } from '../../../src/algorithms/rl/reward.js';
import { isAlgorithmError, trialIdsFor } from '../../../src/algorithms/types.js';
import { mnasnetSpace } from '../../../src/space/mnasnet.js';
import { nb201Space } from '../../../src/space/nb201.js';

void describe('per-op latency lookup table', () => {
  const g = mnasnetSpace.sample(Rng.seeded(1));
  const keys = latencyKeys(mnasnetSpace, g);
  const entries = Object.fromEntries(keys.map((k, i) => [k, 1 + i]));

  void it('keys MnasNet blocks by position, input width and stage string, then the head, and sums base + entries', () => {
    assert.equal(keys.length, g.blocks.length + 1);
    assert.ok(
      keys.slice(0, -1).every((k, i) => new RegExp(`^block${i}/c\\d+/(cn|ds|ir)_r\\d+_k\\d_s\\d`).test(k)),
      keys.join(' '),
    );
    const expected = 5 + keys.reduce((a, _k, i) => a + 1 + i, 0);
    assert.equal(tableLatency(mnasnetSpace, g, { base: 5, entries }), expected);
  });

  void it('keys other spaces by decision and choice', () => {
    const cell = { edges: ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3', 'none'] as const };
    assert.deepEqual(latencyKeys(nb201Space, cell), ['edge0->1=0', 'edge0->2=1', 'edge1->2=2', 'edge0->3=3', 'edge1->3=4', 'edge2->3=0']);
  });

  void it('names the missing key', () => {
    const [first, ...rest] = keys;
    const partial = Object.fromEntries(rest.map((k) => [k, 1]));
    assert.throws(
      () => tableLatency(mnasnetSpace, g, { entries: partial }),
      (e: unknown) => isAlgorithmError(e) && e.field === `latencyTable.entries["${first}"]`,
    );
  });

  void it('prices trials that report no cost when the controller has a table', () => {
    const table = { base: 10, entries: Object.fromEntries(nb201Space.decisions().flatMap((d) => [0, 1, 2, 3, 4].map((c) => [`${d.name}=${c}`, c * 2]))) };
    const algo = ControllerSearch.create('mnasnet-rl', nb201Space, 1, {
      hidden: 8,
      reward: { kind: 'mnasnet', target: 20, alpha: 0, beta: -1 },
      latencyTable: table,
    });
    const [p] = algo.propose(trialIdsFor('t', 0, 1));
    assert.ok(p);
    algo.observe([{ trialId: p.trialId, status: 'succeeded', accuracy: 80 }]);
    const latency = tableLatency(nb201Space, p.genotype, table);
    assert.equal(algo.best()?.score, mnasnetReward(80, latency, 20, 0, -1));
  });
});
