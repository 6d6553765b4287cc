/**
 * Exact resume for a real NASNet child with ScheduledDropPath active: the drop-path masks come
 * from tfjs's unseeded random ops, which the trainer routes through its checkpointed Rng.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/store/local-store.js';
import { loadBackend, type LoadedBackend } from '../../../src/trainer/backend.js';
import { PreemptedError } from '../../../src/trainer/errors.js';
import { defaultModelFactory } from '../../../src/trainer/factories.js';
import { runTrial } from '../../../src/trainer/run-trial.js';
import { writeSynthetic } from '../../../src/trainer/synth.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'trial-tiny.json');

void describe('NASNet child with drop path: stop and resume on the pure-JS backend', () => {
  let dir: string;
  let backend: LoadedBackend;
  let spec: Record<string, unknown>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nasflow-nasnet-'));
    backend = await loadBackend('cpu', () => undefined);
    await writeSynthetic(new LocalStore(join(dir, 'data')), { classes: 3, train: 60, test: 0, seed: 6 });
    const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as { recipe: Record<string, unknown> };
    spec = {
      ...example,
      macro: { stem: 'cifar', cellsPerStage: 1, filters: 2, classes: 3 },
      recipe: { ...example.recipe, epochs: 2, batchSize: 8, imageSize: 4, dropPathKeepProb: 0.6, checkpointEverySteps: 2 },
    };
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const run = async (name: string, shouldStop = () => false) => {
    const path = join(dir, name, 'spec.json');
    await new LocalStore('/').put(path.slice(1), JSON.stringify(spec));
    return runTrial({
      specUri: path,
      datasetUri: join(dir, 'data'),
      env: {},
      buildModel: defaultModelFactory,
      shouldStop,
      now: () => performance.now(),
      log: () => undefined,
      backend,
    });
  };

  void it('reproduces the uninterrupted final loss exactly', async () => {
    const reference = await run('ref');
    let steps = 0;
    await assert.rejects(
      run('cut', () => ++steps > 9),
      PreemptedError,
    );
    const resumed = await run('cut');
    assert.equal(resumed.resumedFrom?.step, 9);
    assert.equal(resumed.finalTrainLoss, reference.finalTrainLoss);
    assert.equal(resumed.valLoss, reference.valLoss);
  });
});
