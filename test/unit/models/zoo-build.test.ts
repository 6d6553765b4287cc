// One test over the whole registry (timm tests/test_models.py): build every reference model once in
// tfjs, check its trainable parameter count against the cost model and the reference, and run a
// forward pass. Parameter counts do not depend on the input size (no aux head), so each model is
// built at a reduced input size that keeps the CPU forward pass short.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildDef, costOfDef, getModel, listModels, trainableParams } from '../../../src/models/index.js';

const REDUCED_IMAGENET = 64;

void describe('zoo models build in tfjs', () => {
  for (const name of listModels()) {
    void it(`${name}: built parameters equal the cost model and the reference; forward gives [1, classes]`, () => {
      const entry = getModel(name);
      const def = entry.def();
      const full = costOfDef(def);
      const size = entry.inputSize <= 32 ? entry.inputSize : REDUCED_IMAGENET;
      const model = buildDef(tf, { ...def, macro: { ...def.macro, inputSize: size } } as typeof def);
      try {
        const params = trainableParams(model);
        assert.equal(params, full.params);
        if (!entry.reference.paramsMismatch) assert.equal(params, entry.reference.params);
        const y = tf.tidy(() => (model.predict(tf.randomNormal([1, size, size, 3])) as tf.Tensor).dataSync());
        assert.equal(y.length, entry.classes);
        assert.ok(y.every(Number.isFinite));
        // Structural names (src/models/tfjs-net.ts): unique, and each under a stem, cell, stage or head scope.
        const names = model.weights.map((w) => w.originalName);
        assert.equal(new Set(names).size, names.length);
        const odd = names.filter((n) => !/^(stem|stem_cell_\d|cell_\d+|reduction_cell_\d|aux_head|head|stage_\d+)\/[a-z0-9_/]+$/.test(n));
        assert.deepEqual(odd, [], 'every weight has a structural name');
      } finally {
        model.dispose();
      }
    });
  }
});
