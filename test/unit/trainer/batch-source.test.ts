/**
 * The loop's batch sources (src/trainer/batch-source.ts): a step's augmentation is a function of
 * (seed, step) alone, the worker and the inline source build the same bytes, and a run cut and
 * resumed trains on exactly the batches of the uninterrupted run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, makeBatch, type BatchArgs } from '../../../src/trainer/augment.js';
import { createBatchSource, stepPlan, type BatchSourceKind } from '../../../src/trainer/batch-source.js';
import { loadBackend, type LoadedBackend } from '../../../src/trainer/backend.js';
import { sliceSet } from '../../../src/trainer/cifar-format.js';
import { PreemptedError } from '../../../src/trainer/errors.js';
import { trainLoop } from '../../../src/trainer/loop.js';
import { parseTrialSpec } from '../../../src/trainer/spec.js';
import { withSeededRandom } from '../../../src/trainer/seeded-random.js';
import { synthesize } from '../../../src/trainer/synth.js';
import { LocalStore } from '../../../src/store/local-store.js';
import { Rng } from '../../../src/common/rng.js';
import { tinyModelFactory, tinySpec } from './fixtures/tiny-model.js';

const ARGS: BatchArgs = { imageSize: 16, padCrop: 4, flip: true, cutout: 8 };
const { train } = synthesize({ classes: 4, train: 96, test: 0, seed: 2 });

void describe('step augmentation plans', () => {
  void it('depend on (seed, step) only, not on the draws made before', () => {
    const first = stepPlan(3, 17, 8, ARGS);
    for (let s = 0; s < 17; s++) stepPlan(3, s, 8, ARGS);
    assert.deepEqual(stepPlan(3, 17, 8, ARGS), first);
    assert.notDeepEqual(stepPlan(3, 18, 8, ARGS), first);
    assert.notDeepEqual(stepPlan(4, 17, 8, ARGS), first);
  });

  void it('keep the recipe: offsets within padCrop, flips about half, cutout centres inside the image', () => {
    const plan = stepPlan(1, 0, 4000, ARGS);
    assert.ok(plan.ox.every((v) => v >= -4 && v <= 4) && plan.oy.every((v) => v >= -4 && v <= 4));
    assert.deepEqual(new Set(plan.ox), new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4]));
    const flips = plan.flip.reduce((n, f) => n + f, 0) / 4000;
    assert.ok(flips > 0.45 && flips < 0.55, `flip fraction ${flips}`);
    assert.ok(plan.cx.every((v) => v >= 0 && v < 32) && plan.cy.every((v) => v >= 0 && v < 32));
    const none = stepPlan(1, 0, 10, { imageSize: 32, padCrop: 0, flip: false, cutout: 0 });
    assert.ok(none.ox.every((v) => v === 0) && none.flip.every((v) => v === 0) && none.cx.every((v) => v === -1));
  });

  void it('apply as makeBatch does with the same generator', () => {
    const idx = [5, 1, 9];
    assert.deepEqual(applyPlan(train, idx, ARGS, stepPlan(0, 2, 3, ARGS)), makeBatch(train, idx, ARGS, Rng.seeded('0/augment/2')));
  });
});

void describe('batch sources', () => {
  const idx = (step: number) => Array.from({ length: 12 }, (_, i) => (step * 12 + i * 7) % train.count);

  void it('the worker builds bit-identical batches to the inline source, prefetched or not, in any order', async () => {
    const inline = createBatchSource('inline', train, ARGS, 11);
    const worker = createBatchSource('worker', train, ARGS, 11);
    try {
      worker.prefetch(1, idx(1));
      worker.prefetch(0, idx(0));
      for (const step of [0, 1, 2]) {
        const [a, b] = await Promise.all([inline.take(step, idx(step)), worker.take(step, idx(step))]);
        assert.equal(b.length, 12 * 16 * 16 * 3);
        assert.deepEqual(b, a, `step ${step}`);
      }
    } finally {
      await Promise.all([inline.dispose(), worker.dispose()]);
    }
  });

  void it("reports a worker's failure instead of waiting for a batch that never comes", async () => {
    const worker = createBatchSource('worker', train, { ...ARGS, imageSize: 5 }, 0);
    try {
      await assert.rejects(worker.take(0, [0, 1]), /imageSize: expected a divisor of 32, received 5/);
      await assert.rejects(worker.take(1, [0, 1]), /imageSize/);
    } finally {
      await worker.dispose();
    }
  });
});

void describe('training loop batches across a stop and resume (pure-JS backend)', () => {
  let dir: string;
  let backend: LoadedBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nasflow-batches-'));
    backend = await loadBackend('cpu', () => undefined);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const spec = parseTrialSpec(tinySpec({ recipe: { epochs: 2, batchSize: 16, checkpointEverySteps: 3, augment: { padCrop: 4, flip: true, cutout: 8 } } }));
  const data = { train: sliceSet(train, 0, 80), val: sliceSet(train, 80, 96) };
  const run = async (name: string, kind: BatchSourceKind, stopAfter = Infinity) => {
    // The same initial weights in every run (tfjs initialisers draw from Math.random).
    const built = await withSeededRandom(Rng.seeded(1), () => tinyModelFactory(backend.tf, spec, { height: 8, width: 8, channels: 3 }));
    let steps = 0;
    try {
      const outcome = await trainLoop({
        tf: backend.tf,
        built,
        spec,
        data,
        out: new LocalStore(join(dir, name)),
        shouldStop: () => ++steps > stopAfter,
        now: () => performance.now(),
        log: () => undefined,
        batchSource: kind,
      });
      return { outcome, weights: built.model.weights.map((w) => Array.from(w.read().dataSync() as Float32Array)) };
    } finally {
      built.model.dispose();
    }
  };

  void it('a run cut at step 4 and resumed (worker) ends with the weights of the uninterrupted run (inline)', async () => {
    const reference = await run('ref', 'inline');
    await assert.rejects(run('cut', 'worker', 4), PreemptedError);
    const resumed = await run('cut', 'worker');
    assert.equal(resumed.outcome.resumedFrom?.step, 4);
    assert.equal(resumed.outcome.steps, reference.outcome.steps);
    assert.deepEqual(resumed.outcome.history.at(-1)?.trainLoss, reference.outcome.history.at(-1)?.trainLoss);
    assert.deepEqual(resumed.weights, reference.weights);
  });
});
