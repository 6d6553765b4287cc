import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/common/rng.js';
import { bruteForce, paretoFront, selectUnderBudget } from '../../../src/algorithms/ponas/select.js';
import { contextFor, nextEvaluations } from '../../../src/algorithms/ponas/schedule.js';
import { at } from '../../../src/common/indexing.js';

function instance(rng: Rng, layers: number, candidates: number, holes = false): { acc: (number | null)[][]; cost: number[][] } {
  const acc: (number | null)[][] = Array.from({ length: layers }, () =>
    Array.from({ length: candidates }, (): number | null => (holes && rng.next() < 0.15 ? null : 60 + rng.next() * 20)),
  );
  acc.forEach((row) => {
    if (!row.some((v) => v !== null)) row[0] = 70;
  });
  const cost = Array.from({ length: layers }, () => Array.from({ length: candidates }, () => 1 + rng.next() * 9));
  return { acc, cost };
}

void describe('PONAS exact budgeted selection', () => {
  for (const [layers, candidates] of [
    [3, 3],
    [4, 4],
    [5, 3],
    [6, 5],
  ] as const) {
    void it(`matches exhaustive search on random ${layers}x${candidates} instances at many budgets`, () => {
      const rng = Rng.seeded(`${layers}x${candidates}`);
      for (let trial = 0; trial < 10; trial++) {
        const { acc, cost } = instance(rng, layers, candidates, trial % 2 === 1);
        const minCost = cost.reduce((a, row) => a + Math.min(...row), 0);
        const maxCost = cost.reduce((a, row) => a + Math.max(...row), 0);
        for (let k = 0; k <= 8; k++) {
          const budget = minCost - 0.5 + ((maxCost - minCost + 1) * k) / 8;
          const dp = selectUnderBudget(acc, cost, budget);
          const bf = bruteForce(acc, cost, budget);
          assert.equal(dp === undefined, bf === undefined, `budget ${budget}`);
          if (dp && bf) {
            assert.ok(Math.abs(dp.value - bf.value) < 1e-9, `budget ${budget}: dp ${dp.value} vs brute force ${bf.value}`);
            assert.ok(dp.cost <= budget);
            const recomputed = dp.choice.reduce((a, c, l) => a + (at(at(acc, l), c) as number), 0);
            assert.ok(Math.abs(recomputed - dp.value) < 1e-9, 'the choice does not add up to its value');
          }
        }
      }
    });
  }

  void it('returns a monotone Pareto front (cost and value strictly rising) whose points are all non-dominated', () => {
    const { acc, cost } = instance(Rng.seeded('front'), 6, 5);
    const front = paretoFront(acc, cost);
    assert.ok(front.length > 3);
    for (let i = 1; i < front.length; i++) {
      const prev = front[i - 1]!;
      const next = front[i]!;
      assert.ok(next.cost >= prev.cost, 'cost must not fall along the front');
      assert.ok(next.value > prev.value, 'value must rise along the front');
    }
    // Every point is the exhaustive optimum at its own cost.
    for (const p of front) assert.ok(Math.abs((bruteForce(acc, cost, p.cost)?.value ?? NaN) - p.value) < 1e-9);
  });

  void it('selects for 19 layers x 12 candidates in under 100 ms', () => {
    const rng = Rng.seeded('ponas-19x12');
    const { acc, cost } = instance(rng, 19, 12);
    const budget = cost.reduce((a, row) => a + row.reduce((x, y) => x + y, 0) / row.length, 0);
    selectUnderBudget(acc, cost, budget); // warm up the JIT
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const choice = selectUnderBudget(acc, cost, budget);
      times.push(performance.now() - t0);
      assert.ok(choice && choice.cost <= budget);
    }
    const median = times.sort((a, b) => a - b)[2]!;
    assert.ok(median < 100, `median selection time ${median.toFixed(1)} ms`);
  });

  void it('never picks a failed (null) entry and rejects a row with nothing evaluated', () => {
    const acc = [
      [null, 70, 99],
      [80, null],
    ];
    const cost = [
      [1, 1, 1],
      [1, 1],
    ];
    const best = selectUnderBudget(acc, cost, 10);
    assert.deepEqual(best?.choice, [2, 0]);
    assert.throws(() => paretoFront([[null, null]], [[1, 1]]), /at least one evaluated candidate/);
  });
});

void describe('PONAS progressive schedule', () => {
  void it('fills one layer at a time in the given order', () => {
    const filled = [
      [true, true],
      [false, true],
      [false, false],
    ];
    assert.deepEqual(nextEvaluations(filled, [0, 1, 2]), { layer: 1, candidates: [0] });
    assert.deepEqual(nextEvaluations(filled, [2, 1, 0]), { layer: 2, candidates: [0, 1] });
    assert.equal(nextEvaluations([[true], [true]], [0, 1]), undefined);
  });
  void it('evaluates a candidate with finished layers at their best and the rest at the reference', () => {
    const table = [
      [70, 90, null],
      [null, null, null],
      [null, null, null],
    ];
    assert.deepEqual(contextFor(table, [true, false, false], [0, 2, 1], 1, 0), [1, 0, 1]);
  });
});
