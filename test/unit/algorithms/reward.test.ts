import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HARD_CONSTRAINT, SOFT_CONSTRAINT, mnasnetReward, rewardOf } from '../../../src/algorithms/rl/reward.js';
import { isAlgorithmError } from '../../../src/algorithms/types.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `expected ${b}; received ${a}`);

void describe('MnasNet reward ACC x (LAT/T)^w (Tan et al. 2019, Eq. 2)', () => {
  const T = 75;
  for (const [name, c] of [
    ['soft', SOFT_CONSTRAINT],
    ['hard', HARD_CONSTRAINT],
  ] as const) {
    void it(`${name}: equals the accuracy exactly at the target`, () => {
      close(mnasnetReward(0.75, T, T, c.alpha, c.beta), 0.75);
    });
  }
  void it('soft: below the target a small bonus, (LAT/T)^-0.07', () => {
    close(mnasnetReward(0.75, 37.5, T, -0.07, -0.07), 0.75 * Math.pow(0.5, -0.07));
    assert.ok(mnasnetReward(0.75, 37.5, T) > 0.75);
  });
  void it('soft: above the target a smooth penalty with the same exponent', () => {
    close(mnasnetReward(0.75, 150, T, -0.07, -0.07), 0.75 * Math.pow(2, -0.07));
    assert.ok(mnasnetReward(0.75, 150, T) < 0.75);
  });
  void it('hard: no bonus below the target', () => {
    close(mnasnetReward(0.75, 37.5, T, HARD_CONSTRAINT.alpha, HARD_CONSTRAINT.beta), 0.75);
  });
  void it('hard: reward falls as T/LAT above the target', () => {
    close(mnasnetReward(0.75, 150, T, HARD_CONSTRAINT.alpha, HARD_CONSTRAINT.beta), 0.375);
  });
  void it('soft: a 2x slower model needs about 5% more accuracy to tie (paper, Sec. 3)', () => {
    const ratio = mnasnetReward(1, 2 * T, T) / mnasnetReward(1, T, T);
    close(ratio, Math.pow(2, -0.07));
    assert.ok(Math.abs(1 / ratio - 1.05) < 0.005);
  });
  void it('rejects a missing or non-positive cost, naming the field', () => {
    assert.throws(
      () => rewardOf({ kind: 'mnasnet', target: T }, 0.7, undefined),
      (e: unknown) => isAlgorithmError(e) && e.field === 'result.cost',
    );
    assert.throws(
      () => mnasnetReward(0.7, 0, T),
      (e: unknown) => isAlgorithmError(e) && e.field === 'result.cost',
    );
    assert.throws(
      () => mnasnetReward(0.7, 10, -1),
      (e: unknown) => isAlgorithmError(e) && e.field === 'reward.target',
    );
  });
  void it('accuracy reward passes the accuracy through', () => {
    assert.equal(rewardOf({ kind: 'accuracy' }, 93.1, 12), 93.1);
  });
});
