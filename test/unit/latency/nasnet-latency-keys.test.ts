/**
 * NASNet latency keys and profile plan, pure parts: the keys follow the build exactly (every key's
 * piece priced by its analytic cost adds up, with the stem, to the whole network's parameters and
 * mult-adds, for the zoo cells and sampled genotypes on CIFAR and ImageNet macros, with and without
 * skip-reduction-input, down to 1x1 feature maps); a known genotype's key multiset; multiplicities
 * from N; the reduction cell's stride rule; the output concat and preambles from unused states;
 * the plan prices every key and a prediction is base + the sum of its parts; an RL controller with
 * an inline table prices its proposals with these keys; a table without its macro, or a zoo model
 * of another macro, is refused naming the field and the fix.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/common/rng.js';
import { latencyKeys, tableLatency } from '../../../src/algorithms/rl/latency-table.js';
import { nasnetLatencyKeys, nasnetLayout, nasnetNetworkParts, type NasnetLatencyMacro } from '../../../src/algorithms/rl/nasnet-latency-keys.js';
import { isAlgorithmError, trialIdsFor } from '../../../src/algorithms/types.js';
import { ControllerSearch } from '../../../src/algorithms/rl/controller-search.js';
import { mnasnetReward } from '../../../src/algorithms/rl/reward.js';
import { parseLatencyTable } from '../../../src/api/latency-table.js';
import { NASNET_A, nasnetSpace, type NasnetGenotype } from '../../../src/space/nasnet.js';
import { CostNet } from '../../../src/models/cost-net.js';
import { costOfDef } from '../../../src/models/build.js';
import { buildNasnetPart, cellMacroOf } from '../../../src/latency/nasnet-parts.js';
import { assembleTable, profilePlan } from '../../../src/latency/plan.js';
import { genotypeNetwork, predictMs, zooMacroProblem, zooNetwork } from '../../../src/latency/predict.js';
import { madeUpLatencyTable } from '../../helpers/made-up-latency-table.js';

const CIFAR: NasnetLatencyMacro = { stem: 'cifar', cellsPerStage: 2, filters: 16 };
const count = (keys: readonly string[], key: string): number => keys.filter((k) => k === key).length;

/** Every block reads h_i: h_i-1 and all five block outputs are unused and concatenated. */
const READS_H_I: NasnetGenotype = {
  normal: { blocks: Array.from({ length: 5 }, () => ({ inputs: [0, 0] as const, ops: ['sep_3x3', 'sep_3x3'] as const, combine: 'add' as const })) },
  reduction: NASNET_A.reduction,
};

void describe('nasnet latency keys', () => {
  void it('price every piece of the network as built: stem + parts = the whole network, parameters and mult-adds', () => {
    const macros: NasnetLatencyMacro[] = [
      CIFAR,
      { stem: 'cifar', cellsPerStage: 1, filters: 4 },
      { stem: 'cifar', cellsPerStage: 3, filters: 8, stemMultiplier: 1 },
      { stem: 'imagenet', cellsPerStage: 4, filters: 44 },
      { stem: 'imagenet', cellsPerStage: 2, filters: 12, stemMultiplier: 3, skipReductionLayerInput: true },
      { stem: 'imagenet', cellsPerStage: 1, filters: 8, skipReductionLayerInput: true },
    ];
    const rng = Rng.seeded('nasnet-latency-keys');
    for (const m of macros) {
      for (const size of [32, 8, 5]) {
        for (const g of [NASNET_A, READS_H_I, ...Array.from({ length: 8 }, () => nasnetSpace.sample(rng))]) {
          const stem = nasnetLayout(m, size, { normal: 1, reduction: 1 }).stem;
          const net = new CostNet();
          for (const part of [stem, ...nasnetNetworkParts(g, m, size).map((p) => p.part)]) buildNasnetPart(net, net.input(...part.input), part, m, 10);
          const whole = costOfDef({ kind: 'cells', family: { kind: 'nasnet', ...g }, macro: cellMacroOf(m, size, 10) });
          const parts = net.cost();
          assert.deepEqual([parts.params, parts.multAdds], [whole.params, whole.multAdds], `${JSON.stringify(m)} at ${size} px: ${nasnetSpace.describe(g)}`);
        }
      }
    }
  });

  void it('NASNet-A on the CIFAR child (N 2, F 16): the key multiset', () => {
    const keys = nasnetLatencyKeys(NASNET_A, CIFAR, 32);
    assert.equal(keys.length, 132);
    // The first cell reads the stem (48 channels) raw as h_i-1: its ops on h_i-1 see 48 channels, and
    // an identity there is a 1x1 conv; later cells see F = 16 and their identities build nothing.
    assert.equal(count(keys, 'nasnet/normal/s0/sep_3x3/x1/c48'), 2);
    assert.equal(count(keys, 'nasnet/normal/s0/identity/x1/c48'), 1);
    assert.ok(!keys.some((k) => /identity\/x1\/c16$/.test(k)));
    // Every cell of NASNet-A adds in all five blocks.
    assert.equal(count(keys, 'nasnet/normal/s0/add'), 10);
    assert.equal(count(keys, 'nasnet/reduction/s1/add'), 5);
    // Output widths: normal 6 x F, reduction 4 x F; the next cells' preambles read them.
    assert.equal(count(keys, 'nasnet/normal/s0/concat6'), 2);
    assert.equal(count(keys, 'nasnet/reduction/s1/concat4'), 1);
    assert.equal(count(keys, 'nasnet/reduction/s1/input/c96'), 1);
    assert.equal(count(keys, 'nasnet/normal/s1/input/c128'), 1);
    // The first cell after a reduction reads h_i-1 at the previous stage's resolution: factorized reduction.
    assert.equal(count(keys, 'nasnet/normal/s1/prev/x2/c96'), 1);
    assert.equal(count(keys, 'nasnet/normal/s2/prev/x2/c192'), 1);
    assert.equal(keys.at(-1), 'nasnet/head/c384');
  });

  void it('repeats a stage’s keys once per cell: multiplicities from N', () => {
    for (const n of [1, 2, 3, 4]) {
      const keys = nasnetLatencyKeys(NASNET_A, { ...CIFAR, cellsPerStage: n }, 32);
      // Three sep_3x3 per normal cell; in the very first cell two of them read the raw stem.
      assert.equal(count(keys, 'nasnet/normal/s0/sep_3x3/x1/c16'), 3 * n - 2, `N ${n}`);
      assert.equal(count(keys, 'nasnet/normal/s1/sep_3x3/x1/c32'), 3 * n, `N ${n}`);
      assert.equal(count(keys, 'nasnet/normal/s2/add'), 5 * n, `N ${n}`);
      assert.equal(count(keys, 'nasnet/reduction/s2/add'), 5, `N ${n}`);
      // Every cell after the second of a stage reads two cells of 6 F: its h_i-1 preamble is a 1x1 conv.
      assert.equal(count(keys, 'nasnet/normal/s1/prev/x1/c192'), Math.max(0, n - 2), `N ${n}`);
    }
  });

  void it('a reduction cell strides the ops that read a cell input and not those that read a block output', () => {
    const rng = Rng.seeded(3);
    for (let i = 0; i < 30; i++) {
      const g = nasnetSpace.sample(rng);
      const keys = nasnetLatencyKeys(g, CIFAR, 32);
      const branches = g.reduction.blocks.flatMap((b) => b.inputs.map((from, side) => ({ from, op: b.ops[side] })));
      const fromInputs = branches.filter((b) => b.from < 2).length;
      const fromBlocks = branches.filter((b) => b.from >= 2 && !(b.op === 'identity' && g.reduction.blocks[b.from - 2]?.combine === 'add'));
      const ops = keys.filter((k) => /^nasnet\/reduction\/s1\/[a-z_0-9x]+\/x\d\/c\d+$/.test(k) && !/\/(input|prev|reduce-output)\//.test(k));
      assert.equal(ops.filter((k) => k.includes('/x2/')).length, fromInputs);
      assert.equal(ops.filter((k) => k.includes('/x1/')).length, fromBlocks.length);
    }
  });

  void it('unused states set the output concat, its reductions and the next cells’ preambles', () => {
    const keys = nasnetLatencyKeys(READS_H_I, CIFAR, 32);
    // h_i-1 and the five blocks are unused: six F-wide pieces.
    assert.equal(count(keys, 'nasnet/normal/s0/concat6'), 2);
    assert.equal(count(keys, 'nasnet/normal/s0/input/c96'), 1);
    assert.equal(count(keys, 'nasnet/reduction/s1/input/c96'), 1);
    // The first cell's h_i-1 is the raw stem: concatenated, it is brought to F by a 1x1 (x1).
    assert.equal(count(keys, 'nasnet/normal/s0/reduce-output/x1/c48'), 1);
    // A reduction cell that leaves h_i unused reduces it to the output's resolution (x2).
    const reduction = { blocks: READS_H_I.normal.blocks.map((b) => ({ ...b, inputs: [1, 1] as const })) };
    const r = nasnetLatencyKeys({ normal: NASNET_A.normal, reduction }, CIFAR, 32);
    assert.equal(count(r, 'nasnet/reduction/s1/reduce-output/x2/c32'), 1);
    assert.equal(count(r, 'nasnet/reduction/s1/concat6'), 1);
    // A concat block is 2F wide in the output.
    const wide = { blocks: reduction.blocks.map((b, i) => (i === 4 ? { ...b, combine: 'concat' as const } : b)) };
    assert.equal(count(nasnetLatencyKeys({ normal: NASNET_A.normal, reduction: wide }, CIFAR, 32), 'nasnet/reduction/s1/concat7'), 1);
  });

  void it('the plan prices every key of sampled genotypes and NASNet-A; a prediction is base + the sum of its parts', () => {
    for (const cells of [CIFAR, { stem: 'imagenet', cellsPerStage: 1, filters: 8 } as const]) {
      const table = madeUpLatencyTable('nasnet', 16, { cells });
      const rng = Rng.seeded(9);
      for (let i = 0; i < 100; i++) assert.ok(Number.isFinite(tableLatency(nasnetSpace, nasnetSpace.sample(rng), table)));
      assert.ok(predictMs(table, zooNetwork('nasnet', 'nasnet-a-mobile')) > 0);
    }
    const plan = profilePlan('nasnet', { imageSize: 8, classes: 10, cells: CIFAR, enumerate: false, genotypes: [NASNET_A] });
    const ms = new Map(plan.parts.map((p) => [p.id, 3]));
    const assembled = assembleTable(plan, ms, 1);
    assert.deepEqual(new Set(Object.values(assembled.entries)), new Set([2]), 'each entry is one part less the call overhead');
    assert.equal(assembled.base, 3, 'the stem, with one call overhead');
    const table = { ...madeUpLatencyTable('nasnet', 8, { cells: CIFAR, enumerate: false }), ...assembled };
    const keys = latencyKeys(nasnetSpace, NASNET_A, table);
    assert.equal(predictMs(table, genotypeNetwork('nasnet', nasnetSpace.serialize(NASNET_A))), 3 + 2 * keys.length);
    // A zoo-only table prices the zoo's cells and nothing else.
    assert.throws(() => tableLatency(nasnetSpace, nasnetSpace.sample(Rng.seeded(4)), table), /latencyTable\.entries\["nasnet\//);
  });

  void it('refuses a table without its macro and a zoo model of another macro, naming the field and the fix', () => {
    const table = madeUpLatencyTable('nasnet', 8, { cells: CIFAR, enumerate: false });
    const { macro: _macro, ...bare } = table;
    assert.throws(
      () => tableLatency(nasnetSpace, NASNET_A, bare),
      (e: unknown) => isAlgorithmError(e) && e.field === 'latencyTable.macro' && /nasflow latency profile --space nasnet/.test(e.message),
    );
    assert.equal(
      zooMacroProblem(
        { ...table, macro: { stem: 'imagenet', cellsPerStage: 4, filters: 44, stemMultiplier: 1, skipReductionLayerInput: false } },
        'nasnet-a-mobile',
      ),
      null,
    );
    const problem = zooMacroProblem(table, 'nasnet-a-mobile') ?? '';
    assert.match(
      problem,
      /^--zoo nasnet-a-mobile: built with stem imagenet, cellsPerStage 4, filters 44, stemMultiplier 1; the table was profiled for macro\.stem cifar, macro\.cellsPerStage 2, macro\.filters 16, macro\.stemMultiplier 3\./,
    );
    assert.match(problem, /--zoo-macro nasnet-a-mobile/);
    // A nasnet table parses with its macro; a table written before the field existed still parses.
    assert.deepEqual(parseLatencyTable(JSON.stringify(table), '--table', 't').macro, table.macro);
    const old = madeUpLatencyTable('mnasnet', 8, { enumerate: false });
    assert.equal(parseLatencyTable(JSON.stringify(old), '--table', 't').macro, undefined);
  });

  void it('an RL controller on the nasnet space with a profiled table prices its proposals with these keys', () => {
    const table = madeUpLatencyTable('nasnet', 8, { cells: CIFAR });
    const algo = ControllerSearch.create('mnasnet-rl', nasnetSpace, 1, {
      hidden: 8,
      reward: { kind: 'mnasnet', target: 50, alpha: 0, beta: -1 },
      latencyTable: table,
    });
    const [p] = algo.propose(trialIdsFor('t', 0, 1));
    assert.ok(p);
    algo.observe([{ trialId: p.trialId, status: 'succeeded', accuracy: 80 }]);
    const latency = predictMs(table, genotypeNetwork('nasnet', nasnetSpace.serialize(p.genotype)));
    assert.equal(algo.best()?.score, mnasnetReward(80, latency, 50, 0, -1));
  });
});
