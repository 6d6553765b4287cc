/** A run's event budget leaves room to re-attach every running trial and still make progress. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHistoryLimit } from '../../../workflows/search-run.js';

void describe('defaultHistoryLimit', () => {
  void it('stays at 4,000 events for the parallelism of everyday searches', () => {
    for (const p of [1, 10, 100, 166]) assert.equal(defaultHistoryLimit(p), 4000, `parallelism ${p}`);
  });

  void it('exceeds the re-attach cost of every running trial (12 events each) by as much again', () => {
    for (const p of [167, 450, 1000, 1600]) {
      const reattach = 12 * p;
      assert.ok(defaultHistoryLimit(p) >= 2 * reattach, `parallelism ${p}: ${defaultHistoryLimit(p)} events for a re-attach of ${reattach}`);
    }
  });

  void it("stays under Temporal's 51,200-event limit", () => {
    assert.equal(defaultHistoryLimit(10_000), 40_000);
  });
});
