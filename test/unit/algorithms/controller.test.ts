import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendBounded, ControllerSearch, HISTORY_CAP, type UpdateHistory } from '../../../src/algorithms/rl/controller-search.js';
import { trialIdsFor } from '../../../src/algorithms/types.js';
import { nb201Space, type Nb201Genotype } from '../../../src/space/nb201.js';

/** Reward = number of 3x3 convolutions: a policy that learns concentrates on them. */
const convs = (g: Nb201Genotype) => g.edges.filter((op) => op === 'nor_conv_3x3').length;

for (const method of ['reinforce', 'ppo'] as const) {
  void describe(`LSTM controller (${method})`, () => {
    void it('moves its samples towards the rewarded operation', () => {
      const algo = ControllerSearch.create('nasnet-rl', nb201Space, 4, { hidden: 16, lr: 0.03, batchSize: 5, method });
      const rewards: number[] = [];
      for (let step = 0; step < 120; step++) {
        const [p] = algo.propose(trialIdsFor('c', step, 1));
        assert.ok(p);
        rewards.push(convs(p.genotype));
        algo.observe([{ trialId: p.trialId, status: 'succeeded', accuracy: 80 + convs(p.genotype) }]);
      }
      const early = rewards.slice(0, 30).reduce((a, b) => a + b, 0) / 30;
      const late = rewards.slice(-30).reduce((a, b) => a + b, 0) / 30;
      // Uniform sampling gives 6/5 = 1.2 expected 3x3 convolutions per cell.
      assert.ok(late > early + 0.8, `early ${early.toFixed(2)}, late ${late.toFixed(2)}`);
      assert.ok(algo.updates() >= 20);
    });
  });
}

void describe('LSTM controller state', () => {
  void it('carries the weights and Adam moments: a restored controller samples what the original samples', () => {
    const a = ControllerSearch.create('nasnet-rl', nb201Space, 2, { hidden: 8, batchSize: 2, lr: 0.05 });
    for (let s = 0; s < 6; s++) {
      const [p] = a.propose(trialIdsFor('w', s, 1));
      assert.ok(p);
      a.observe([{ trialId: p.trialId, status: 'succeeded', accuracy: 70 + convs(p.genotype) }]);
    }
    const state = JSON.parse(JSON.stringify(a.state()));
    assert.equal(typeof state.weights, 'string');
    const b = ControllerSearch.restore('nasnet-rl', nb201Space, state);
    const ids = trialIdsFor('w', 100, 5);
    assert.deepEqual(
      b.propose(ids).map((p) => p.hash),
      a.propose(ids).map((p) => p.hash),
    );
  });
});

void describe('LSTM controller update history (for the search report)', () => {
  void it('records reward, baseline and entropy per update; the same seed gives the same history, and it survives JSON', () => {
    const run = () => {
      const algo = ControllerSearch.create('nasnet-rl', nb201Space, 9, { hidden: 4, batchSize: 2, method: 'reinforce', lr: 0.05 });
      for (let step = 0; step < 8; step++) {
        const [p] = algo.propose(trialIdsFor('h', step, 1));
        assert.ok(p);
        algo.observe([{ trialId: p.trialId, status: 'succeeded', accuracy: 70 + convs(p.genotype) }]);
      }
      return algo;
    };
    const a = run();
    const history = a.updateHistory();
    assert.ok(a.updates() >= 4);
    assert.deepEqual(
      history.map((r) => r.update),
      Array.from({ length: a.updates() }, (_, i) => i + 1),
    );
    // Uniform-ish policy over 5 ops on 6 edges: entropy near 6 ln 5 = 9.66 nats.
    assert.ok(
      history.every((r) => r.reward >= 70 && r.reward <= 76 && r.entropy > 5 && r.entropy < 9.7 && r.baseline >= 70),
      JSON.stringify(history),
    );
    const state = a.state();
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
    assert.deepEqual(run().updateHistory(), history, 'same seed, same history');
  });

  void it('stays within its cap by an even downsample that still reaches the latest updates', () => {
    const h: UpdateHistory = { stride: 1, records: [] };
    for (let u = 1; u <= 1000; u++) appendBounded(h, { update: u, reward: u, baseline: 0, entropy: 1 }, 16);
    assert.equal(h.stride, 64);
    assert.deepEqual(
      h.records.map((r) => r.update),
      Array.from({ length: 16 }, (_, i) => 1 + 64 * i),
    );
    const full: UpdateHistory = { stride: 1, records: [] };
    for (let u = 1; u <= 3000; u++) appendBounded(full, { update: u, reward: u, baseline: 0, entropy: 1 });
    assert.ok(full.records.length <= HISTORY_CAP && full.records.length > HISTORY_CAP / 2, `${full.records.length} records`);
    assert.ok(JSON.stringify(full).length < 20_000, 'small enough for the state');
  });
});
