import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/store/local-store.js';
import { loadBackend, type LoadedBackend } from '../../../src/trainer/backend.js';
import { runTrial } from '../../../src/trainer/run-trial.js';
import { trainedResultSchema } from '../../../src/api/trial-result.js';
import { writeSynthetic } from '../../../src/trainer/synth.js';
import { findLatestCheckpoint } from '../../../src/trainer/checkpoint.js';
import { PreemptedError } from '../../../src/trainer/errors.js';
import { tinyModelFactory, tinySpec } from './fixtures/tiny-model.js';

void describe('runTrial with a tiny conv net on the pure-JS backend', () => {
  let dir: string;
  let backend: LoadedBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nasflow-trial-'));
    backend = await loadBackend('cpu', () => undefined);
    await writeSynthetic(new LocalStore(join(dir, 'data')), { classes: 4, train: 240, test: 40, seed: 1 });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const run = async (name: string, spec: Record<string, unknown>, shouldStop = () => false) => {
    const specPath = join(dir, name, 'spec.json');
    await new LocalStore('/').put(specPath.slice(1), JSON.stringify(spec));
    return runTrial({
      specUri: specPath,
      datasetUri: join(dir, 'data'),
      env: {},
      buildModel: tinyModelFactory,
      shouldStop,
      now: () => performance.now(),
      log: () => undefined,
      backend,
    });
  };

  void it('trains above chance and writes a valid result.json next to the spec', async () => {
    const result = await run('plain', tinySpec());
    assert.equal(result.epochs.length, 2);
    assert.ok(result.valAccuracy > 0.5, `val accuracy ${result.valAccuracy} should beat chance (0.25) clearly`);
    assert.equal(result.resumedFrom, null);
    assert.equal(result.backend, 'cpu');
    const stored = JSON.parse(new TextDecoder().decode(await new LocalStore(join(dir, 'plain')).get('result.json')));
    assert.deepEqual(trainedResultSchema.parse(stored), result);
  });

  void it("measures inference latency at batch 1 and the spec's batch on its backend and device", async () => {
    const spec = tinySpec({ recipe: { epochs: 1 } });
    const result = await run('latency', spec);
    const latency = result.latency;
    assert.ok(latency, 'result.json carries a latency section');
    assert.equal(latency.backend, 'cpu');
    assert.equal(latency.device.kind, 'cpu');
    assert.equal(latency.runs, 30);
    const batch = (spec.recipe as { batchSize?: number } | undefined)?.batchSize ?? 32;
    assert.deepEqual(
      latency.batches.map((b) => b.batch),
      batch === 1 ? [1] : [1, batch],
    );
    for (const b of latency.batches) {
      assert.ok(b.medianMs > 0 && b.minMs <= b.medianMs && b.medianMs <= b.p90Ms, JSON.stringify(b));
    }
    const stored = JSON.parse(new TextDecoder().decode(await new LocalStore(join(dir, 'latency')).get('result.json')));
    assert.deepEqual(stored.latency, latency);
  });

  void it('gives identical results for identical specs (seeded init, order and augmentation)', async () => {
    const a = await run('same-a', tinySpec({ recipe: { epochs: 1 } }));
    const b = await run('same-b', tinySpec({ recipe: { epochs: 1 } }));
    assert.equal(a.finalTrainLoss, b.finalTrainLoss);
    assert.equal(a.valLoss, b.valLoss);
    const c = await run('same-c', tinySpec({ recipe: { epochs: 1 }, seed: 8 }));
    assert.notEqual(a.finalTrainLoss, c.finalTrainLoss);
  });

  void it('returns the stored result instead of training again when result.json exists', async () => {
    const first = await run('again', tinySpec({ recipe: { epochs: 1 } }));
    let built = 0;
    const second = await runTrial({
      specUri: join(dir, 'again', 'spec.json'),
      datasetUri: join(dir, 'data'),
      env: {},
      buildModel: (...args) => {
        built++;
        return tinyModelFactory(...args);
      },
      shouldStop: () => false,
      now: () => performance.now(),
      log: () => undefined,
      backend,
    });
    assert.equal(built, 0);
    assert.deepEqual(second, first);
  });

  void it('refuses to resume from checkpoints of a different spec', async () => {
    let steps = 0;
    await assert.rejects(
      run('other', tinySpec(), () => ++steps > 3),
      PreemptedError,
    );
    await assert.rejects(run('other', tinySpec({ seed: 99 })), /holds checkpoints of a different spec/);
  });

  void it('resumes after a stop with exactly the uninterrupted final loss', async () => {
    const reference = await run('ref', tinySpec());
    let steps = 0;
    await assert.rejects(
      run('cut', tinySpec(), () => ++steps > 17),
      PreemptedError,
    );
    const cp = await findLatestCheckpoint(new LocalStore(join(dir, 'cut')));
    assert.equal(cp?.state.step, 17);
    const resumed = await run('cut', tinySpec());
    assert.equal(resumed.resumedFrom?.step, 17);
    assert.equal(resumed.finalTrainLoss, reference.finalTrainLoss);
    assert.equal(resumed.valLoss, reference.valLoss);
  });
});
