import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/store/local-store.js';
import { CHECKPOINT_LATEST, checkpointStateKey, checkpointWeightsKey } from '../../../src/api/store-layout.js';
import { findLatestCheckpoint, saveCheckpoint, type CheckpointInput } from '../../../src/trainer/checkpoint.js';
import { at } from '../../../src/common/indexing.js';

const input = (step: number): CheckpointInput => ({
  trainingHash: 'h',
  step,
  epoch: 1,
  batchInEpoch: step % 7,
  rng: [1, 2, 3, step],
  epochSums: { loss: 1.5, correct: 3, seen: 8, seconds: 0.25 },
  history: [],
  tensors: [
    { name: 'k', shape: [2, 2], values: new Float32Array([1, 2, 3, step]) },
    { name: 'b', shape: [1], values: new Float32Array([-0.5]) },
  ],
  optimizer: { type: 'sgd-momentum', slots: [new Float32Array([0.1, 0.2, 0.3, 0.4]), new Float32Array([9])] },
});
const fresh = (): LocalStore => new LocalStore(mkdtempSync(join(tmpdir(), 'nasflow-cp-')));

void describe('checkpoints', () => {
  void it('round-trip weights, optimizer slots, RNG state and position exactly', async () => {
    const store = fresh();
    await saveCheckpoint(store, input(12));
    const cp = await findLatestCheckpoint(store);
    assert.ok(cp);
    assert.equal(cp.key, 'checkpoints/0000000012');
    assert.deepEqual(cp.state.rng, [1, 2, 3, 12]);
    assert.equal(cp.state.batchInEpoch, 5);
    assert.deepEqual(cp.weights, [new Float32Array([1, 2, 3, 12]), new Float32Array([-0.5])]);
    assert.deepEqual(cp.slots, [new Float32Array([0.1, 0.2, 0.3, 0.4]), new Float32Array([9])]);
    assert.deepEqual(cp.state.epochSums, input(12).epochSums);
  });

  void it('keeps only the newest two checkpoints', async () => {
    const store = fresh();
    for (const s of [5, 10, 15, 20]) await saveCheckpoint(store, input(s));
    const dirs = new Set((await store.list('checkpoints/0')).map((k) => k.split('/')[1]));
    assert.deepEqual([...dirs], ['0000000015', '0000000020']);
    assert.equal((await findLatestCheckpoint(store))?.state.step, 20);
  });

  void it('falls back to the newest complete checkpoint when the newest is damaged or LATEST is stale', async () => {
    const store = fresh();
    await saveCheckpoint(store, input(5));
    await saveCheckpoint(store, input(10));
    // Killed after writing weights of step 15 but before its state: incomplete, ignored.
    await store.put(checkpointWeightsKey(15), new Uint8Array(8));
    assert.equal((await findLatestCheckpoint(store))?.state.step, 10);
    // Weights of step 10 corrupted after the fact: hash mismatch, fall back to 5.
    const w = await store.get(checkpointWeightsKey(10));
    w[0] = at(w, 0) ^ 0xff;
    await store.put(checkpointWeightsKey(10), w);
    assert.equal((await findLatestCheckpoint(store))?.state.step, 5);
    // LATEST pointing nowhere, or garbage: the listing still finds step 5.
    await store.put(CHECKPOINT_LATEST, '999\n');
    assert.equal((await findLatestCheckpoint(store))?.state.step, 5);
    await store.put(CHECKPOINT_LATEST, 'garbage');
    await store.put(checkpointStateKey(10), '{"truncated');
    assert.equal((await findLatestCheckpoint(store))?.state.step, 5);
  });

  void it('finds nothing in an empty prefix', async () => {
    assert.equal(await findLatestCheckpoint(fresh()), null);
  });
});
