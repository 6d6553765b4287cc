import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { searchAccuracy, trainedCost, trialResultSchema, trialSeconds, type TrainedResult } from '../../../src/api/trial-result.js';
import { answerTrial } from '../../../src/launch/benchmark-answer.js';
import { makeSearch } from '../../helpers/search-builder.js';
import { parseSearchSpec } from '../../../src/api/search-spec.js';
import { at } from '../../../src/common/indexing.js';

const benchmark = {
  schemaVersion: 1,
  kind: 'benchmark',
  benchmark: 'cifar10',
  valAccuracy: 0.9012,
  testAccuracy: 0.9345,
  simulatedSeconds: 1200,
  readyAtMs: 0,
};

describe('result.json: one contract for every writer', () => {
  void it('reads each kind and gives the search its accuracy in percent and its seconds', () => {
    const r = trialResultSchema.parse(benchmark);
    assert.equal(r.kind, 'benchmark');
    assert.equal(searchAccuracy(r.valAccuracy), 90.12);
    assert.equal(trialSeconds(r), 1200);
  });

  void it('what the benchmark evaluator writes is a valid result.json (writer and reader share the schema)', () => {
    const spec = parseSearchSpec(makeSearch('contract', '/tmp/unused').obj());
    const { delayMs, ...answer } = answerTrial(spec, {
      edges: ['nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'avg_pool_3x3', 'skip_connect', 'nor_conv_1x1'],
    });
    assert.ok(delayMs >= 0);
    const r = trialResultSchema.parse({ ...answer, readyAtMs: 1 });
    assert.ok(r.valAccuracy > 0 && r.valAccuracy < 1, 'fractions, not percent');
  });

  void it('rejects a percent where the contract says fraction, and a file of no known kind, naming the field', () => {
    const percent = trialResultSchema.safeParse({ ...benchmark, valAccuracy: 90.12 });
    assert.equal(percent.success, false);
    assert.deepEqual(at(percent.error!.issues, 0).path, ['valAccuracy']);
    const unknown = trialResultSchema.safeParse({ valAccuracy: 0.9 });
    assert.equal(unknown.success, false);
    assert.deepEqual(at(unknown.error!.issues, 0).path, ['kind']);
  });

  void it('gives a trained trial the cost its search constrains: measured latency, or analytic FLOPs and params in millions', () => {
    const trained = { params: 3_400_000, multAdds: 312_000_000, latency: { batches: [{ batch: 1, medianMs: 12.5 }] } } as unknown as TrainedResult;
    assert.equal(trainedCost(trained, 'flops'), 312);
    assert.equal(trainedCost(trained, 'params'), 3.4);
    assert.equal(trainedCost(trained, 'latency'), 12.5);
    assert.equal(trainedCost(trained, undefined), undefined);
    assert.equal(trainedCost({ ...trained, multAdds: undefined }, 'flops'), undefined);
  });
});
