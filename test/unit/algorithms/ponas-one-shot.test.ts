/**
 * The pure parts of PONAS's one-shot search: the per-layer cost table (additive, equal to the cost
 * model), supernet step specs (valid for the trainer's schema, chained by init and fixed), table
 * rows, and a PONAS search seeded with a measured table proposing the budgeted optimum first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/common/rng.js';
import { PonasSearch } from '../../../src/algorithms/ponas/ponas-search.js';
import { bruteForce } from '../../../src/algorithms/ponas/select.js';
import { costOf } from '../../../src/models/index.js';
import { ponasCostMacro, ponasCostTable, ponasCostTableFor, tableCost } from '../../../src/search/ponas-costs.js';
import { oneShotPlan, supernetTrialId, supernetTrialSpec, winningSlot, withRow } from '../../../src/search/ponas-one-shot.js';
import { ponasSpace } from '../../../src/space/ponas.js';
import { isPonasOneShot, parseSearchSpec } from '../../../src/api/search-spec.js';
import { parseSupernetSpec } from '../../../src/trainer/supernet/spec.js';
import { at } from '../../../src/common/indexing.js';

const spec = parseSearchSpec({
  name: 'p',
  algorithm: { ponas: { budget: 200, cost: { metric: 'flops', inputSize: 224 }, supernet: { layers: 3, candidates: [1, 4, 9], metaTrial: { epochs: 5 } } } },
  space: 'ponas',
  macro: { classes: 10 },
  evaluator: { type: 'train' },
  trial: { epochs: 1, imageSize: 8 },
  budget: { maxTrials: 4 },
  dataset: 's3://bucket/data',
  storage: 's3://bucket/runs',
});

describe('PONAS one-shot: cost table', () => {
  for (const metric of ['flops', 'params'] as const) {
    it(`row entries sum to the cost model's ${metric} for any genotype`, () => {
      const macro = { ...ponasCostMacro(spec), inputSize: 32 };
      const table = ponasCostTable(macro, metric);
      const rng = Rng.seeded(5);
      for (let i = 0; i < 25; i++) {
        const g = ponasSpace.sample(rng);
        const c = costOf('ponas', ponasSpace.serialize(g), macro);
        const expected = metric === 'flops' ? c.multAdds / 1e6 : c.params / 1e6;
        assert.ok(
          Math.abs(tableCost(table, ponasSpace.encode(g)) - expected) < 1e-6,
          `genotype ${i}: ${tableCost(table, ponasSpace.encode(g))} vs ${expected}`,
        );
      }
    });
  }

  it("counts at cost.inputSize, else at the trials' image size", () => {
    assert.equal(ponasCostTableFor(spec).inputSize, 224);
    const atTrialSize = parseSearchSpec({ ...spec, algorithm: { ponas: {} } });
    assert.equal(ponasCostTableFor(atTrialSize).inputSize, 8);
    assert.ok(at(at(ponasCostTableFor(spec).costs, 0), 0) > 100 * at(at(ponasCostTableFor(atTrialSize).costs, 0), 0), 'costs grow with the input');
  });
});

describe('PONAS one-shot: supernet steps', () => {
  it('runs only for PONAS on its own space with trained trials', () => {
    assert.equal(isPonasOneShot(spec), true);
    assert.equal(isPonasOneShot(parseSearchSpec({ ...spec, algorithm: { random: {} } })), false);
  });

  it("meta and progressive step specs pass the trainer's schema, chained by init and fixed", () => {
    const meta = parseSupernetSpec(supernetTrialSpec(spec, { step: 0, trialId: supernetTrialId('s', 0), fixed: [], outputUri: 's3://b/runs/0', seed: 7 }));
    assert.equal(meta.phase.type, 'meta');
    assert.equal(meta.recipe.epochs, 5, 'metaTrial overrides the trial recipe');
    assert.deepEqual(meta.supernet.candidates, [1, 4, 9]);
    assert.equal(meta.supernet.layers, 3);
    const row2 = parseSupernetSpec(
      supernetTrialSpec(spec, {
        step: 3,
        trialId: supernetTrialId('s', 3),
        fixed: [2, 0],
        outputUri: 's3://b/runs/3',
        previousOutputUri: 's3://b/runs/2',
        seed: 7,
      }),
    );
    assert.deepEqual(row2.phase, { type: 'progressive', layer: 2, fixed: [2, 0], init: 's3://b/runs/2', fineTuneSteps: 20, evalPaths: 2 });
    assert.equal(row2.recipe.epochs, 1);
    assert.throws(() => supernetTrialSpec(spec, { step: 2, trialId: 'x', fixed: [], outputUri: 'o', previousOutputUri: 'p', seed: 1 }), /1 fixed choices/);
  });

  it('rows land in the full 19 x 12 table in percent; the winner is the best slot', () => {
    const plan = oneShotPlan(spec);
    const row = {
      layer: 1,
      fixed: [0],
      trialId: 't',
      accuracies: [
        { slot: 0, candidate: 1, accuracy: 0.5 },
        { slot: 1, candidate: 4, accuracy: 0.625 },
        { slot: 2, candidate: 9, accuracy: 0.25 },
      ],
    };
    const file = withRow(withRow(undefined, plan, { ...row, layer: 0, fixed: [] }), plan, row);
    assert.equal(file.table.length, 19);
    assert.deepEqual(file.table[1], [null, 50, null, null, 62.5, null, null, null, null, 25, null, null]);
    assert.equal(file.rows.length, 2);
    assert.equal(withRow(file, plan, row).rows.length, 2, 'recording a row again replaces it');
    assert.equal(winningSlot(row), 1);
  });
});

describe('PONAS search seeded with a measured table', () => {
  it('proposes the exact budgeted optimum first, then other Pareto points, never over-budget first', () => {
    const costs = ponasCostTableFor(spec).costs;
    const rng = Rng.seeded(9);
    const table = costs.map((row) => row.map(() => Math.round(rng.next() * 1000) / 10));
    const cheapest = costs.reduce((s, row) => s + Math.min(...row), 0);
    const dearest = costs.reduce((s, row) => s + Math.max(...row), 0);
    const budget = (cheapest + dearest) / 2;
    const search = PonasSearch.create(ponasSpace, 3, { costs, budget, table });
    const [first, second] = search.propose(['a', 'b']);
    assert.ok(first && second);
    // 12^19 networks are too many to enumerate; the next test compares with brute force on a slice.
    const chosen = ponasSpace.encode(first.genotype);
    assert.ok(tableCost({ metric: 'flops', unit: 'MFLOPs', inputSize: 224, costs }, chosen) <= budget + 1e-9);
    const { pick, front } = search.selection();
    assert.deepEqual(chosen, pick!.choice);
    assert.ok(
      front.every((p) => p.cost > budget || p.value <= pick!.value + 1e-9),
      'nothing within budget beats the pick',
    );
    assert.notDeepEqual(ponasSpace.encode(second.genotype), chosen);
    const small = PonasSearch.create(ponasSpace, 3, { costs, table, budget: cheapest + 1e-9 });
    const cheapestChoice = costs.map((row) => row.indexOf(Math.min(...row)));
    assert.deepEqual(ponasSpace.encode(at(small.propose(['c']), 0).genotype), cheapestChoice, 'a budget at the minimum forces the cheapest network');
  });

  it('matches brute force on a 3-layer slice with the other layers pinned', () => {
    const costs = ponasCostTableFor(spec).costs;
    const rng = Rng.seeded(4);
    const table = costs.map((row, l) => row.map((_, c) => (l < 3 ? Math.round(rng.next() * 1000) / 10 : c === 0 ? 0 : null)));
    for (const budget of [costs.reduce((s, row, l) => s + (l < 3 ? Math.min(...row) : at(row, 0)), 0) + 0.5, Infinity]) {
      const expected = bruteForce(table, costs, budget)!;
      const got = ponasSpace.encode(
        at(PonasSearch.create(ponasSpace, 1, { costs, table, budget: Number.isFinite(budget) ? budget : undefined }).propose(['x']), 0).genotype,
      );
      assert.deepEqual(got, expected.choice, `budget ${budget}`);
    }
  });

  it('rejects a table of the wrong shape, naming the argument', () => {
    assert.throws(() => PonasSearch.create(ponasSpace, 1, { table: [[1, 2]] }), /ponas\.table/);
  });
});
