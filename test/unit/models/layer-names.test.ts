// Structural layer names (src/models/tfjs-net.ts): where a layer sits, not how many layers the
// process built before it, so two builds of one network name every weight alike, and the names
// say which cell, block, branch and op a weight belongs to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildDef, buildModel, getModel } from '../../../src/models/index.js';
import { NASNET_A } from '../../../src/space/index.js';

const names = (model: tf.LayersModel): string[] => model.weights.map((w) => w.originalName);

void describe('structural layer names', () => {
  void it('a NASNet child with aux head and drop path: named by stem, cell, block, branch and op; the same in a second build', () => {
    const macro = { stem: 'imagenet', inputSize: 64, N: 1, F: 8, classes: 5, auxHead: true } as const;
    const a = buildModel(tf, { space: 'nasnet', genotype: NASNET_A, macro, dropPath: 0.7 });
    const b = buildModel(tf, { space: 'nasnet', genotype: NASNET_A, macro, dropPath: 0.7 });
    try {
      assert.deepEqual(names(b), names(a));
      assert.equal(new Set(names(a)).size, names(a).length);
      const layers = a.layers.map((l) => l.name);
      for (const name of [
        'stem/conv/kernel',
        'stem_cell_0/input/conv/kernel',
        'stem_cell_1/prev/path_1/conv/kernel',
        'cell_0/block_0/left/sep_5x5/sep_1/separable/depthwise_kernel',
        'cell_0/block_0/left/sep_5x5/sep_2/bn/moving_variance',
        'reduction_cell_0/block_0/left/sep_5x5/sep_1/separable/pointwise_kernel',
        'aux_head/conv_1/kernel',
        'head/dense/kernel',
        'head/dense/bias',
      ]) {
        assert.ok(names(a).includes(name), `${name} is a weight`);
      }
      assert.ok(layers.includes('cell_0/block_0/left/drop_path'), 'drop path sits on its branch');
      assert.ok(layers.includes('cell_0/block_0/add') && layers.includes('cell_0/output/concat'));
      assert.deepEqual(
        a.outputs.map((o) => o.sourceLayer.name),
        ['head/dense', 'aux_head/dense'],
      );
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  void it('an MBConv chain (MnasNet-A1): named by stage, layer and part', () => {
    const def = getModel('mnasnet-a1').def();
    const model = buildDef(tf, { ...def, macro: { ...def.macro, inputSize: 32 } } as typeof def);
    try {
      for (const name of [
        'stem/conv/kernel',
        'stage_0/layer_0/dw/depthwise/depthwise_kernel',
        'stage_1/layer_0/expand/conv/kernel',
        'stage_2/layer_0/se/conv/bias',
        'stage_2/layer_0/project/bn/gamma',
        'head/conv/kernel',
        'head/dense/kernel',
      ]) {
        assert.ok(names(model).includes(name), `${name} is a weight; have ${names(model).slice(0, 12).join(', ')}, ...`);
      }
    } finally {
      model.dispose();
    }
  });
});
