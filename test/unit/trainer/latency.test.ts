import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, summarise } from '../../../src/trainer/latency.js';

void describe('latency summary', () => {
  void it('takes nearest-rank quantiles: median and p90 of 1..10', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(quantile(v, 0.5), 5);
    assert.equal(quantile(v, 0.9), 9);
    assert.equal(quantile(v, 1), 10);
    assert.equal(quantile([7], 0.9), 7);
  });
  void it('summarises unsorted runs (median, p90, min, spread) and is robust to one slow outlier', () => {
    const s = summarise(1, [2, 2, 100, 2, 2, 2, 2, 2, 2, 2]);
    assert.equal(s.medianMs, 2);
    assert.equal(s.p90Ms, 2);
    assert.equal(s.minMs, 2);
    assert.ok(s.meanMs > 11 && s.relativeStd > 1, JSON.stringify(s));
  });
  void it('names the field on an empty run list', () => {
    assert.throws(() => quantile([], 0.5), /quantile: no values/);
  });
});
