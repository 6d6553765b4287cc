import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/common/rng.js';
import { costOf, costOfDef, getModel, listModels, DEFAULT_MACROS } from '../../../src/models/index.js';
import { getSpace, NASNET_A, nasnetSpace } from '../../../src/space/index.js';
import { at } from '../../../src/common/indexing.js';

const REQUIRED = [
  'nasnet-a-mobile',
  'nasnet-a-large',
  'nasnet-a-cifar',
  'pnasnet-5-mobile',
  'pnasnet-5-large',
  'mnasnet-a1',
  'mnasnet-b1',
  'ponas-a',
  'ponas-b',
  'ponas-c',
];

void describe('analytic cost model on the zoo', () => {
  void it('registers the ten reference models and filters by pattern', () => {
    assert.deepEqual([...listModels()].sort(), [...REQUIRED].sort());
    assert.deepEqual(listModels('ponas-*'), ['ponas-a', 'ponas-b', 'ponas-c']);
    assert.throws(() => getModel('resnet-50'), /expected one of/);
  });

  for (const name of REQUIRED) {
    const entry = getModel(name);
    void it(`${name}: parameters ${entry.reference.paramsMismatch ? 'within 0.001 %' : 'exact'}, mult-adds within 0.5 % (reference) and 1 % (confirmed published)`, () => {
      const cost = costOfDef(entry.def());
      const ref = entry.reference;
      if (ref.paramsMismatch) assert.ok(Math.abs(cost.params / ref.params! - 1) < 1e-5, `${cost.params} vs ${ref.params}`);
      else assert.equal(cost.params, ref.params);
      const macs = ref.multAddsScope === 'conv' ? cost.multAdds - cost.denseMultAdds : cost.multAdds;
      assert.ok(Math.abs(macs / ref.multAdds! - 1) < 0.005, `${name}: ${macs} vs reference ${ref.multAdds}`);
      const pub = entry.published;
      if (pub.confirmed && pub.multAdds) {
        const pm = pub.multAddsScope === 'conv' ? cost.multAdds - cost.denseMultAdds : cost.multAdds;
        assert.ok(Math.abs(pm / pub.multAdds - 1) < 0.01, `${name}: ${pm} vs published ${pub.multAdds}`);
      }
      if (pub.params) assert.ok(Math.abs(cost.params / pub.params - 1) < 0.05, `${name}: params ${cost.params} vs published ${pub.params}`);
    });
  }

  void it('the exact counts named by the issue are reproduced', () => {
    const expected: Record<string, number> = {
      'nasnet-a-mobile': 5_289_978,
      'nasnet-a-large': 88_753_150,
      'pnasnet-5-large': 86_057_668,
      'mnasnet-a1': 3_887_038,
      'mnasnet-b1': 4_383_312,
      'ponas-a': 5_104_022,
      'ponas-b': 5_083_322,
      'ponas-c': 5_587_622,
    };
    for (const [name, params] of Object.entries(expected)) assert.equal(costOfDef(getModel(name).def()).params, params, name);
  });

  void it('the aux head of the CIFAR NASNet-A adds the reference 1,631,498 parameters', () => {
    const macro = { stem: 'cifar', inputSize: 32, N: 6, F: 32, classes: 10 } as const;
    assert.equal(costOf('nasnet', NASNET_A, { ...macro, auxHead: true }).params - costOf('nasnet', NASNET_A, macro).params, 1_631_498);
  });

  void it('mult-adds scale with the input area and parameters do not', () => {
    const a = costOf('nasnet', NASNET_A, { stem: 'cifar', inputSize: 32, N: 2, F: 16, classes: 10 });
    const b = costOf('nasnet', NASNET_A, { stem: 'cifar', inputSize: 64, N: 2, F: 16, classes: 10 });
    assert.equal(a.params, b.params);
    assert.ok(Math.abs((b.multAdds - b.denseMultAdds) / (a.multAdds - a.denseMultAdds) - 4) < 0.05);
  });
});

void describe('analytic cost model on 10,000 samples per space', () => {
  for (const name of Object.keys(DEFAULT_MACROS)) {
    void it(`${name}: every sample is valid and costs in well under a millisecond on average`, () => {
      const space = getSpace(name);
      const rng = Rng.seeded(`cost/${name}`);
      const start = performance.now();
      let min = Infinity;
      let max = 0;
      for (let i = 0; i < 10_000; i++) {
        const g = space.sample(rng);
        const c = costOf(space, g);
        assert.ok(Number.isInteger(c.params) && c.params > 0 && Number.isFinite(c.multAdds) && c.multAdds > c.denseMultAdds);
        min = Math.min(min, c.params);
        max = Math.max(max, c.params);
      }
      const perGenotype = (performance.now() - start) / 10_000;
      assert.ok(perGenotype < 5, `${perGenotype} ms per genotype`);
      assert.ok(max > min * 1.2, `samples should differ in size: ${min}..${max}`);
    });
  }

  void it('rejects a bad genotype before costing it, naming the field', () => {
    const bad = structuredClone(NASNET_A) as unknown as { normal: { blocks: { ops: string[] }[] } };
    at(bad.normal.blocks, 0).ops[0] = 'sep_9x9';
    assert.throws(() => costOf(nasnetSpace, bad), /normal\.blocks\[0\]\.ops\[0\]: expected one of/);
  });
});
