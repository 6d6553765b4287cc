/** Which trial Events a status mirror records (src/operator/trial-events.ts): only what is new since the last status. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SearchProgress, TrialOutcome } from '../../../src/common/search-types.js';
import { trialEvents } from '../../../src/operator/trial-events.js';
import { at } from '../../../src/common/indexing.js';

const progress = (counts: Partial<SearchProgress['counts']>, recent: TrialOutcome[] = []): SearchProgress => ({
  searchId: 's',
  algorithm: 'random',
  phase: 'Running',
  maxTrials: 100,
  parallelism: 2,
  running: [],
  recent,
  elapsedMs: 0,
  runs: 1,
  counts: { succeeded: 0, failed: 0, infraRetries: 0, running: 0, cancelled: 0, ...counts },
});
const failed = (i: number): TrialOutcome => ({ trialId: `t${i}`, status: 'failed', failure: 'user', reason: `exit 3: NaN loss ${i}`, attempt: 1 });
const prev = (failedCount: number, infraRetries = 0) => ({
  succeeded: 0,
  failed: failedCount,
  running: 0,
  completed: failedCount,
  infraRetries,
  maxTrials: 100,
});

void describe('trial events', () => {
  void it('names each new failure with its reason, newest first', () => {
    const e = trialEvents(prev(1), progress({ failed: 3 }, [failed(3), failed(2), failed(1)]));
    assert.deepEqual(
      e.map((x) => x.note),
      ['trial t3 attempt 1 failed (user): exit 3: NaN loss 3', 'trial t2 attempt 1 failed (user): exit 3: NaN loss 2'],
    );
    assert.ok(e.every((x) => x.type === 'Warning' && x.reason === 'TrialFailed'));
  });

  void it('records nothing when nothing changed (a resync of the same progress)', () => {
    assert.deepEqual(trialEvents(prev(3, 2), progress({ failed: 3, infraRetries: 2 }, [failed(3)])), []);
  });

  void it('summarises failures beyond the recent window in one Event', () => {
    const recent = Array.from({ length: 10 }, (_, i) => failed(50 - i));
    const e = trialEvents(prev(0), progress({ failed: 50 }, recent));
    assert.equal(e.filter((x) => x.note.startsWith('trial ')).length, 10, 'at most the ten recent ones by name');
    assert.match(e.at(-1)!.note, /^40 more trials failed since the last status update/);
    assert.equal(e.length, 11);
  });

  void it('records infrastructure retries with one fixed note (deduplicated into a series by the recorder)', () => {
    const a = trialEvents(prev(0, 0), progress({ infraRetries: 1 }));
    const b = trialEvents(prev(0, 1), progress({ infraRetries: 4 }));
    assert.equal(at(a, 0).reason, 'TrialRetried');
    assert.equal(at(a, 0).note, at(b, 0).note);
  });
});
