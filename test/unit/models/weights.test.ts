/**
 * The pure parts of weight import/export: timm's width rule (parameter counts of timm's own
 * reduced models), symmetric padding shapes, layout transposes, the safetensors reader/writer and
 * the timm name map. The logits check against timm itself is test/integration/weights.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildDef, costOfDef, getModel, shapeTrace, trainableParams } from '../../../src/models/index.js';
import { makeDivisible, scaleChainWidth } from '../../../src/models/width.js';
import { frameworkShape, fromTfjs, toTfjs, transpose } from '../../../src/models/weights/layout.js';
import { readSafetensors, writeSafetensors, SafetensorsError } from '../../../src/models/weights/safetensors.js';
import { timmChainBindings } from '../../../src/models/weights/timm-map.js';
import { layerInfos } from '../../../src/models/weights/transfer.js';
import { peerNetwork } from '../../../src/models/weights/zoo-weights.js';

void describe('timm width rule', () => {
  void it('make_divisible: multiples of 8, at least 8, at most 10% below', () => {
    assert.deepEqual(
      [4, 6, 10, 12, 20, 24, 160].map((v) => makeDivisible(v)),
      [8, 8, 16, 16, 24, 24, 160],
    );
  });

  // Parameter counts of timm 1.0.31 create_model(name) (1000 classes), counted with sum(p.numel()).
  const timmCounts = [
    ['mnasnet-b1', 0.5, 2_218_512, 'mnasnet_050'],
    ['mnasnet-b1', 0.75, 3_170_208, 'mnasnet_075'],
    ['mnasnet-b1', 1, 4_383_312, 'mnasnet_100'],
    ['mnasnet-a1', 0.5, 2_082_006, 'semnasnet_050'],
    ['mnasnet-a1', 1, 3_887_038, 'semnasnet_100'],
  ] as const;
  for (const [model, width, params, timmName] of timmCounts) {
    void it(`${model} at width ${width} has the parameters of timm ${timmName} (${params})`, () => {
      assert.equal(costOfDef(scaleChainWidth(getModel(model).def(), width)).params, params);
    });
  }

  void it('cell models are refused with the fix', () => {
    assert.throws(() => scaleChainWidth(getModel('nasnet-a-mobile').def(), 0.5), /only MBConv-chain models.*take N and F/);
  });
});

void describe('symmetric padding', () => {
  void it('the cost model and the built model agree on shapes and parameters, and strided layers get a pad layer', () => {
    const { def, options } = peerNetwork({ model: 'mnasnet-b1', from: 'timm', width: 0.25, classes: 10, inputSize: 65 });
    const model = buildDef(tf, def, options);
    assert.equal(trainableParams(model), costOfDef(def).params);
    // 65 -> PyTorch floor((65 + 2 - 3) / 2) + 1 = 33, as TF SAME would too; the stem pads 1 on each side.
    assert.equal(shapeTrace(def)[0]?.shape, '33x33x8');
    assert.deepEqual(model.getLayer('stem/pad').getConfig().padding, [
      [1, 1],
      [1, 1],
    ]);
    assert.equal(model.getLayer('stem/conv').getConfig().padding, 'valid');
    assert.equal(model.getLayer('stage_1/layer_1/dw/depthwise').getConfig().padding, 'same', 'stride 1 pads as SAME, no pad layer');
    model.dispose();
  });
});

void describe('layouts', () => {
  void it('transpose: OIHW -> HWIO and back', () => {
    const data = Float32Array.from({ length: 2 * 3 * 1 * 2 }, (_, i) => i);
    const t = toTfjs('conv', 'torch', data, [2, 3, 1, 2]);
    assert.deepEqual(t.shape, [1, 2, 3, 2]);
    // HWIO[0][1][2][1] = OIHW[1][2][0][1] = 1*6 + 2*2 + 0*2 + 1 = 11
    assert.equal(t.data[0 * 12 + 1 * 6 + 2 * 2 + 1], 11);
    assert.deepEqual(fromTfjs('conv', 'torch', t.data, t.shape).data, data);
    assert.deepEqual(frameworkShape('depthwise', 'torch', [3, 3, 8, 1]), [8, 1, 3, 3]);
    assert.deepEqual(frameworkShape('dense', 'torch', [80, 10]), [10, 80]);
    assert.deepEqual(frameworkShape('conv', 'keras', [3, 3, 4, 8]), [3, 3, 4, 8]);
    assert.deepEqual(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]).data, Float32Array.from([1, 4, 2, 5, 3, 6]));
  });
});

void describe('safetensors', () => {
  void it('round-trips float32 and int64 tensors with metadata, header aligned to 8', () => {
    const bytes = writeSafetensors(
      new Map([
        ['a.weight', { shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 4]) }],
        ['a.num_batches_tracked', { shape: [], data: BigInt64Array.from([7n]) }],
      ]),
    );
    assert.equal(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0);
    const back = readSafetensors(bytes, 't.safetensors');
    assert.deepEqual(back.get('a.weight'), { shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 4]) });
    assert.deepEqual(back.get('a.num_batches_tracked'), { shape: [], data: Float32Array.from([7]) });
  });

  void it('bad files are refused with the file and the problem named', () => {
    assert.throws(
      () => readSafetensors(new Uint8Array(3), 'x.st'),
      (e) => e instanceof SafetensorsError && /x\.st .*shorter than the 8-byte/.test(e.message),
    );
    const notJson = new Uint8Array(12);
    notJson[0] = 4;
    assert.throws(() => readSafetensors(notJson, 'y.st'), /y\.st .*header is not JSON/);
    const head = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }));
    const short = new Uint8Array(8 + head.byteLength + 8);
    new DataView(short.buffer).setBigUint64(0, BigInt(head.byteLength), true);
    short.set(head, 8);
    assert.throws(() => readSafetensors(short, 'z.st'), /tensor w: data_offsets \[0, 16\] do not hold 4 x F32 inside the file/);
  });
});

void describe('timm names', () => {
  void it('mnasnet-a1 (ds block, ir blocks with SE) binds to timm semnasnet names', () => {
    const model = buildDef(tf, getModel('mnasnet-a1').def());
    const names = timmChainBindings(layerInfos(model)).flatMap((b) => b.tensors);
    model.dispose();
    for (const n of [
      'conv_stem.weight',
      'bn1.running_var',
      'blocks.0.0.conv_dw.weight',
      'blocks.0.0.bn1.weight',
      'blocks.0.0.conv_pw.weight',
      'blocks.2.1.conv_pw.weight',
      'blocks.2.1.se.conv_reduce.bias',
      'blocks.2.1.se.conv_expand.weight',
      'blocks.2.1.conv_pwl.weight',
      'blocks.2.1.bn3.running_mean',
      'conv_head.weight',
      'bn2.bias',
      'classifier.weight',
    ]) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(new Set(names).size, names.length, 'no timm name is bound twice');
  });
});
