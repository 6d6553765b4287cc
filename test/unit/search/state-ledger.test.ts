/**
 * The algorithm-state ledger (src/search/state-ledger.ts) on a real directory store: every version a
 * driven search stored, snapshot or step record, restores to exactly the state the live algorithm had
 * at that version, for every algorithm family; a tampered record fails loudly; the snapshot gap grows
 * with the search; reports read a step record's state.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trialIdsFor, type TrialResult } from '../../../src/algorithms/types.js';
import { searchSpecKey, stateKey } from '../../../src/api/store-layout.js';
import { LiveAlgorithms } from '../../../src/search/live-algorithms.js';
import { readLatestState } from '../../../src/search/search-state.js';
import {
  catchUp,
  isStepRecord,
  loadAt,
  MIN_STEPS_PER_SNAPSHOT,
  saveSnapshot,
  saveStep,
  snapshotDue,
  type LedgerPosition,
} from '../../../src/search/state-ledger.js';
import { LocalStore } from '../../../src/store/local-store.js';
import { getJson, putJson } from '../../../src/store/object-store.js';
import { create, fakeResult, findCase, type ConformanceCase } from '../../conformance/cases.js';

const root = mkdtempSync(join(tmpdir(), 'nasflow-ledger-'));
let stores = 0;

/** Drives `c` through the ledger as the activities do (a propose and an observe version per step) and
 * keeps the live state JSON of every version. */
async function driveThroughLedger(c: ConformanceCase, steps: number) {
  const store = new LocalStore(join(root, `s${stores++}`));
  const algorithm = create(c, 7);
  const states: string[] = [JSON.stringify(algorithm.state())];
  await saveSnapshot(store, 'x', 0, algorithm.state());
  let at: LedgerPosition<unknown> = { algorithm, version: 0, snapshot: 0, proposed: 0 };
  let running: { trialId: string; hash: string }[] = [];
  for (let step = 0; step < steps; step++) {
    const trialIds = trialIdsFor('x', step, 1 + (step % 3));
    const proposals = at.algorithm.propose(trialIds);
    at = await saveStep(store, 'x', at, at.version + 1, { propose: { trialIds, hashes: proposals.map((p) => p.hash) } });
    states.push(JSON.stringify(at.algorithm.state()));
    running.push(...proposals.map((p) => ({ trialId: p.trialId, hash: p.hash })));
    const keep = proposals.length > 0 ? 1 : 0;
    const results: TrialResult[] = running.slice(0, running.length - keep).map((t) => fakeResult(t.trialId, t.hash));
    running = running.slice(running.length - keep);
    at.algorithm.observe(results);
    at = await saveStep(store, 'x', at, at.version + 1, { observe: results });
    states.push(JSON.stringify(at.algorithm.state()));
  }
  return { store, states, last: at };
}

function kindsOf(store: LocalStore, versions: number): ('snapshot' | 'step')[] {
  const kinds: ('snapshot' | 'step')[] = [];
  for (let v = 0; v < versions; v++) kinds.push(isStepRecord(JSON.parse(readFileSync(join(store.root, stateKey('x', v)), 'utf8'))) ? 'step' : 'snapshot');
  return kinds;
}

void describe('algorithm state ledger', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  // One case per algorithm family; the RL controller's weights and the PNAS surrogate included.
  for (const name of ['random/nb201', 'regularized-evolution/nb201', 'nasnet-rl/nb201', 'pnas/nb201', 'ponas/nb201']) {
    void it(`${name}: every stored version restores to the live state it recorded`, { timeout: 300_000 }, async () => {
      const c = findCase(name);
      const { store, states } = await driveThroughLedger(c, 20);
      const kinds = kindsOf(store, states.length);
      // 41 versions: snapshots at 0, 16 and 32 (the smallest gap), step records between them.
      assert.deepEqual(
        kinds.flatMap((k, v) => (k === 'snapshot' ? [v] : [])),
        [0, MIN_STEPS_PER_SNAPSHOT, 2 * MIN_STEPS_PER_SNAPSHOT],
      );
      for (let v = 0; v < states.length; v++) {
        const restored = await loadAt(store, 'x', v, c.space);
        assert.equal(restored.version, v);
        assert.equal(JSON.stringify(restored.algorithm.state()), states[v], `version ${v} (${kinds[v]}) restores to the live state`);
      }
    });
  }

  void it('a restored position continues exactly as the live one (same next proposals, same next records)', { timeout: 300_000 }, async () => {
    const c = findCase('regularized-evolution/nb201');
    const { store, last } = await driveThroughLedger(c, 10);
    const restored = await loadAt(store, 'x', last.version, c.space);
    assert.equal(restored.proposed, last.proposed);
    assert.equal(restored.snapshot, last.snapshot);
    const ids = trialIdsFor('x', 99, 3);
    assert.deepEqual(
      restored.algorithm.propose(ids).map((p) => p.hash),
      last.algorithm.propose(ids).map((p) => p.hash),
    );
  });

  void it('an older live position catches up with the steps stored since, across a snapshot too', { timeout: 300_000 }, async () => {
    const c = findCase('regularized-evolution/nb201');
    const { store, states } = await driveThroughLedger(c, 20); // snapshots at 0, 16, 32
    for (const [from, to] of [
      [3, 4], // one step another worker took
      [3, 11], // several steps
      [10, 20], // across the snapshot at 16: restored there, then 17-20 applied
      [20, 40],
    ] as const) {
      const older = await loadAt(store, 'x', from, c.space);
      const caught = await catchUp(store, 'x', older, to, c.space);
      assert.equal(caught.version, to);
      assert.equal(caught.snapshot, to >= 32 ? 32 : to >= 16 ? 16 : 0, `${from} -> ${to}: the snapshot it builds on`);
      assert.equal(JSON.stringify(caught.algorithm.state()), states[to], `${from} -> ${to} reaches the live state`);
      if (to < 16) assert.equal(caught.algorithm, older.algorithm, 'without a snapshot between, the same object is advanced');
    }
    await assert.rejects(catchUp(store, 'x', await loadAt(store, 'x', 9, c.space), 8, c.space), /cannot go back from version 9/);
  });

  void it('a recorded propose that no longer replays fails with the search and version named', { timeout: 120_000 }, async () => {
    const c = findCase('random/nb201');
    const { store } = await driveThroughLedger(c, 4);
    const key = join(store.root, stateKey('x', 3)); // step 1's propose
    const record = JSON.parse(readFileSync(key, 'utf8')) as { step: { propose: { hashes: string[] } } };
    record.step.propose.hashes[0] = 'not-the-hash';
    writeFileSync(key, JSON.stringify(record));
    await assert.rejects(loadAt(store, 'x', 5, c.space), /algorithm state of x at version 3: replaying its propose step .* not deterministic/);
    // Versions before the tampered one still restore.
    assert.equal((await loadAt(store, 'x', 2, c.space)).version, 2);
  });

  void it('the snapshot gap grows with the trials proposed (16 steps, then one per 200 trials)', () => {
    assert.equal(snapshotDue(15, 0, 100), false);
    assert.equal(snapshotDue(16, 0, 100), true);
    assert.equal(snapshotDue(99, 0, 20_000), false);
    assert.equal(snapshotDue(100, 0, 20_000), true);
    assert.equal(snapshotDue(140, 100, 20_000), false);
  });

  void it('the report reads the state of the newest version when it is a step record', { timeout: 120_000 }, async () => {
    const c = findCase('random/nb201');
    const { store, states } = await driveThroughLedger(c, 9); // 19 versions: the last (18) is a step
    await putJson(store, searchSpecKey('x'), { space: 'nb201', algorithm: { name: 'random' } });
    assert.ok(isStepRecord(await getJson(store, stateKey('x', 18))));
    const latest = await readLatestState(store, 'x');
    assert.ok(latest);
    assert.equal(latest.version, 18);
    assert.equal(JSON.stringify(latest.state), states[18]);
  });
});

void describe('live algorithms between steps', () => {
  const position = (version: number) => ({ algorithm: create(findCase('random/nb201'), 1), version, snapshot: 0, proposed: 0 });

  void it('hands out an entry once, at the version asked for or before it, never one ahead', () => {
    const live = new LiveAlgorithms();
    live.put('a', position(3));
    assert.equal(live.take('a', 2), undefined, 'an entry ahead of the step misses');
    assert.equal(live.take('a', 3), undefined, 'and the miss dropped it');
    live.put('a', position(3));
    assert.equal(live.take('a', 5)?.version, 3, 'an older entry is handed out to be caught up');
    live.put('a', position(3));
    assert.equal(live.take('a', 3)?.version, 3);
    assert.equal(live.take('a', 3), undefined, 'taken entries are gone until put back');
  });

  void it('keeps the most recently stepped searches up to its capacity', () => {
    const live = new LiveAlgorithms(2);
    live.put('a', position(1));
    live.put('b', position(1));
    live.put('a', position(2)); // a stepped again: b is now the oldest
    live.put('c', position(1));
    assert.equal(live.size, 2);
    assert.equal(live.take('b', 1), undefined);
    assert.equal(live.take('a', 2)?.version, 2);
    assert.equal(live.take('c', 1)?.version, 1);
  });
});
