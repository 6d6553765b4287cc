import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PnasSearch } from '../../../src/algorithms/pnas/pnas-search.js';
import { pnasProgressiveSpace } from '../../../src/algorithms/pnas/pnas-progression.js';
import { spearman } from '../../../src/algorithms/pnas/surrogates.js';
import { trialIdsFor } from '../../../src/algorithms/types.js';
import { fnv1a32 } from '../../../src/common/rng.js';
import { loadNb201 } from '../../../src/bench/nb201-table.js';
import { randomSplitCorrelation } from '../../../src/bench/surrogate-check.js';
import { NB201_ALGORITHM_ARGS } from '../../../src/bench/nb201-defaults.js';

void describe('PNAS progressive search on the pnas space', () => {
  void it('trains all 136 one-block cells, then one beam per block count up to B = 5', () => {
    const space = pnasProgressiveSpace();
    const algo = PnasSearch.create(space, 3, { beam: 4, surrogate: { kind: 'mlp-ensemble', hidden: 8, members: 2, epochs: 3 } });
    const blocksPerRound: number[][] = [];
    for (let round = 0; round < 40 && !algo.correlations().some((c) => c.blocks === 5); round++) {
      const batch = algo.propose(trialIdsFor('p', round, 200));
      blocksPerRound.push(batch.map((p) => p.genotype.blocks.length));
      // Cheap evaluator: separable convolutions help, plus hash noise.
      algo.observe(
        batch.map((p) => ({
          trialId: p.trialId,
          status: 'succeeded' as const,
          accuracy: 60 + p.genotype.blocks.reduce((a, b) => a + b.ops.filter((o) => o.startsWith('sep')).length, 0) + (fnv1a32(p.hash) % 100) / 100,
        })),
      );
    }
    assert.deepEqual(blocksPerRound[0], new Array(136).fill(1));
    for (let b = 2; b <= 5; b++) assert.deepEqual(blocksPerRound[b - 1], [b, b, b, b], `round ${b}`);
    const rhos = algo.correlations();
    assert.deepEqual(
      rhos.map((c) => c.blocks),
      [2, 3, 4, 5],
    );
    assert.ok(rhos.every((c) => c.size === 4 && Number.isFinite(c.spearman)));
  });
});

void describe('PNAS surrogates on NAS-Bench-201 CIFAR-10', () => {
  void it('the MLP ensemble ranks 500 held-out cells with Spearman > 0.5 after 100 random cells', () => {
    const rho = randomSplitCorrelation(loadNb201('nb201-cifar10'), NB201_ALGORITHM_ARGS.pnas?.surrogate ?? {}, 0);
    assert.ok(rho > 0.5, `rho ${rho}`);
  });
  void it('spearman: 1 for the same order, -1 for the reverse, ties averaged', () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    assert.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
  });
});
