/**
 * The conformance suite every search algorithm passes (docs/style.md principle 4, after optuna's
 * sampler tests): valid proposals, same seed same proposals (in process and across processes),
 * lossless JSON state, N + N steps with a restore in a new process equal to 2N straight (N per case),
 * failures counted and never re-proposed, unique batches, out-of-order and repeated results.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlgorithmError, trialIdsFor, type AlgorithmState } from '../../src/algorithms/types.js';
import { create, drive, newDriver, restore, fakeResult, type ConformanceCase, type DriverState } from './cases.js';
import { at } from '../../src/common/indexing.js';

const CHILD = fileURLToPath(new URL('./run-steps.js', import.meta.url));

function child(c: ConformanceCase, seed: number, from: number, steps: number, input: string, output: string): { state: AlgorithmState; driver: DriverState } {
  execFileSync(process.execPath, [CHILD, c.name, String(seed), String(from), String(steps), input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
  return JSON.parse(readFileSync(output, 'utf8')) as { state: AlgorithmState; driver: DriverState };
}

export function describeAlgorithmConformance(c: ConformanceCase): void {
  void describe(`algorithm conformance: ${c.name}`, () => {
    void it('proposes valid genotypes whose hash is the canonical hash', () => {
      const algo = create(c, 1);
      const d = newDriver();
      drive(algo, d, 0, 20);
      assert.ok(d.proposed.length >= 10, `expected at least 10 proposals in 20 steps; received ${d.proposed.length}`);
      const more = algo.propose(trialIdsFor('valid', 0, 3));
      for (const p of more) {
        const parsed = c.space.parse(JSON.parse(JSON.stringify(c.space.serialize(p.genotype))));
        assert.equal(c.space.hash(c.space.canonical(parsed)), p.hash);
      }
    });

    void it('gives the same proposals for the same seed, and different ones for another seed', () => {
      const a = newDriver();
      const b = newDriver();
      const other = newDriver();
      drive(create(c, 7), a, 0, 15);
      drive(create(c, 7), b, 0, 15);
      drive(create(c, 8), other, 0, 15);
      assert.deepEqual(b.proposed, a.proposed);
      assert.notDeepEqual(other.proposed, a.proposed);
    });

    void it('gives the same proposals for the same seed in a separate process', () => {
      const dir = mkdtempSync(join(tmpdir(), 'nasflow-conf-'));
      try {
        const here = newDriver();
        drive(create(c, 11), here, 0, 15);
        const there = child(c, 11, 0, 15, '-', join(dir, 'out.json'));
        assert.deepEqual(there.driver.proposed, here.proposed);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void it('round-trips its state through JSON, and a restored copy writes the same state', () => {
      const algo = create(c, 3);
      drive(algo, newDriver(), 0, 25);
      const state = algo.state();
      const copy = JSON.parse(JSON.stringify(state)) as AlgorithmState;
      assert.deepEqual(copy, state);
      assert.deepEqual(restore(c, copy).state(), state);
    });

    void it(`continues identically after ${c.steps} steps, a restore in a new process, and ${c.steps} more`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'nasflow-conf-'));
      try {
        const straight = create(c, 5);
        const d = newDriver();
        drive(straight, d, 0, 2 * c.steps);
        child(c, 5, 0, c.steps, '-', join(dir, 'half.json'));
        const resumed = child(c, 5, c.steps, c.steps, join(dir, 'half.json'), join(dir, 'full.json'));
        assert.deepEqual(resumed.driver.proposed, d.proposed);
        assert.deepEqual(resumed.state, JSON.parse(JSON.stringify(straight.state())));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    void it('counts failed trials and never proposes any architecture twice', () => {
      const algo = create(c, 9);
      const d = newDriver();
      drive(algo, d, 0, 60);
      assert.ok(d.failures > 0, 'the driver should have delivered some failures');
      const counts = algo.state().counts;
      assert.equal(counts.failed, d.failures);
      assert.equal(counts.proposed, d.proposed.length);
      assert.equal(counts.succeeded + counts.failed + algo.pending().length, counts.proposed);
      assert.equal(new Set(d.proposed).size, d.proposed.length, 'a hash was proposed twice');
    });

    void it('proposes unique architectures within one batch', () => {
      const algo = create(c, 13);
      drive(algo, newDriver(), 0, 10);
      // Round-based algorithms may hold back until their round finishes; deliver everything first.
      algo.observe(algo.pending().map((id) => ({ trialId: id, status: 'failed' as const })));
      const batch = algo.propose(trialIdsFor('batch', 0, 8));
      assert.ok(batch.length >= 1);
      assert.equal(new Set(batch.map((p) => p.hash)).size, batch.length);
      assert.equal(new Set(batch.map((p) => p.trialId)).size, batch.length);
    });

    void it('accepts results out of order and in any batch size, ignores repeats, rejects unknown ids', () => {
      const algo = create(c, 17);
      const batch = algo.propose(trialIdsFor('ooo', 0, 5));
      assert.ok(batch.length >= 1);
      const results = batch.map((p) => fakeResult(p.trialId, p.hash));
      algo.observe(results.slice(1).reverse());
      algo.observe(results.slice(0, 1));
      const before = JSON.stringify(algo.state());
      algo.observe(results.slice(0, 2));
      assert.equal(JSON.stringify(algo.state()), before, 'a repeated report changed the state');
      assert.equal(algo.pending().length, 0);
      assert.throws(
        () => algo.observe([{ trialId: 'nope/0/0', status: 'failed' }]),
        (e: unknown) => isAlgorithmError(e),
      );
      assert.throws(
        () => algo.propose([at(batch, 0).trialId]),
        (e: unknown) => isAlgorithmError(e),
      );
    });
  });
}
