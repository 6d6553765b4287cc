import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { costOfDef, getModel, listModels, shapeTrace } from '../../../src/models/index.js';

const BIN = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'nasflow.js');

function nasflow(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

void describe('nasflow zoo', () => {
  void it('list --json prints {name, params, multAdds, inputSize, classes} for every model', () => {
    const res = nasflow('zoo', 'list', '--json');
    assert.equal(res.status, 0, res.stderr);
    const rows = JSON.parse(res.stdout) as { name: string; params: number; multAdds: number; inputSize: number; classes: number }[];
    assert.deepEqual(
      rows.map((r) => r.name),
      listModels(),
    );
    for (const r of rows) {
      assert.deepEqual(Object.keys(r).sort(), ['classes', 'inputSize', 'multAdds', 'name', 'params']);
      const cost = costOfDef(getModel(r.name).def());
      assert.equal(r.params, cost.params);
      assert.equal(r.multAdds, cost.multAdds);
      assert.equal(r.classes, r.name.includes('cifar') ? 10 : 1000);
    }
  });

  void it('show prints the structure and shapes; an unknown name fails listing the known ones', () => {
    const res = nasflow('zoo', 'show', 'ponas-b');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /stages: ds_r1_k3_s1_c16 ir_r1_k3_s2_e6_c32_se0\.25 /);
    assert.match(res.stdout, /params 5,083,322/);
    const bad = nasflow('zoo', 'show', 'vgg-16');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown zoo model "vgg-16"; expected one of nasnet-a-mobile/);
  });
});

void describe('shape traces match the reference shapes', () => {
  // shared/reference/architectures.json models[*].shapes_derived
  const expected: Record<string, string[]> = {
    'nasnet-a-mobile': [
      'conv0 111x111x32',
      'stem0 56x56x44',
      'stem1 28x28x88',
      'cell3 28x28x264',
      'reduction0 14x14x352',
      'cell7 14x14x528',
      'reduction1 7x7x704',
      'cell11 7x7x1056',
    ],
    'nasnet-a-large': [
      'conv0 165x165x96',
      'stem0 83x83x168',
      'stem1 42x42x336',
      'cell5 42x42x1008',
      'reduction0 21x21x1344',
      'cell11 21x21x2016',
      'reduction1 11x11x2688',
      'cell17 11x11x4032',
    ],
    'pnasnet-5-mobile': [
      'conv0 111x111x32',
      'stem0 56x56x65',
      'stem1 28x28x135',
      'cell2 28x28x270',
      'cell3(s2) 14x14x540',
      'cell6(s2) 7x7x1080',
      'cell8 7x7x1080',
    ],
    'pnasnet-5-large': [
      'conv0 165x165x96',
      'stem0 83x83x270',
      'stem1 42x42x540',
      'cell3 42x42x1080',
      'cell4(s2) 21x21x2160',
      'cell8(s2) 11x11x4320',
      'cell11 11x11x4320',
    ],
  };
  for (const [name, lines] of Object.entries(expected)) {
    void it(name, () => {
      const trace = new Map(shapeTrace(getModel(name).def()).map((s) => [s.label, s.shape]));
      for (const line of lines) {
        const [label, shape] = line.split(' ');
        assert.ok(label && shape, `malformed expected line ${line}`);
        assert.equal(trace.get(label), shape, label);
      }
    });
  }
});
