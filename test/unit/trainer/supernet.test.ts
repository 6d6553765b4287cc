/**
 * PONAS one-shot mode on a reduced supernet (3 searchable layers, width x0.25, 4 candidates,
 * 8x8 synthetic images): meta-training, a progressive step that yields a table row whose
 * entries differ between candidates, and stop/resume reproducing the uninterrupted run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson } from '../../../src/store/object-store.js';
import { LocalStore } from '../../../src/store/local-store.js';
import { loadBackend, type LoadedBackend } from '../../../src/trainer/backend.js';
import { BadSpecError, PreemptedError } from '../../../src/trainer/errors.js';
import { runAnyTrial } from '../../../src/trainer/entry.js';
import { supernetResultSchema, type SupernetResult } from '../../../src/api/trial-result.js';
import { writeSynthetic } from '../../../src/trainer/synth.js';
import { at } from '../../../src/common/indexing.js';

const base = {
  schemaVersion: 1,
  kind: 'ponas-supernet',
  supernet: { classes: 4, widthMultiplier: 0.25, layers: 3, candidates: [0, 3, 6, 11] },
  recipe: { epochs: 2, batchSize: 16, imageSize: 8, checkpointEverySteps: 4, valFraction: 0.25, lr: { initial: 0.1 } },
  seed: 3,
};

void describe('PONAS supernet trials', () => {
  let dir: string;
  let backend: LoadedBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nasflow-supernet-'));
    backend = await loadBackend('cpu', () => undefined);
    await writeSynthetic(new LocalStore(join(dir, 'data')), { classes: 4, train: 240, test: 0, seed: 8 });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const run = async (name: string, spec: object, shouldStop = () => false) => {
    const path = join(dir, name, 'spec.json');
    await new LocalStore('/').put(path.slice(1), JSON.stringify(spec));
    const out = await runAnyTrial({
      specUri: path,
      datasetUri: join(dir, 'data'),
      env: {},
      buildModel: () => assert.fail('no child model'),
      shouldStop,
      now: () => performance.now(),
      log: () => undefined,
      backend,
    });
    return out as SupernetResult;
  };
  const meta = { ...base, phase: { type: 'meta' } };
  const progressive = (init: string) => ({ ...base, phase: { type: 'progressive', layer: 1, fixed: [2], init, fineTuneSteps: 6, evalPaths: 2 } });

  void it('meta-trains: the loss falls and random paths beat chance', async () => {
    const r = await run('meta', meta);
    assert.equal(r.phase, 'meta');
    assert.equal(r.steps, 2 * 11);
    assert.ok(at(r.lossCurve, r.lossCurve.length - 1) < at(r.lossCurve, 0), `loss curve ${r.lossCurve}`);
    assert.ok(r.valAccuracy > 0.4, `random-path val accuracy ${r.valAccuracy} vs chance 0.25`);
    supernetResultSchema.parse(await getJson(new LocalStore(join(dir, 'meta')), 'result.json'));
    assert.ok(await new LocalStore(join(dir, 'meta')).exists('supernet.bin'));
  });

  void it('a progressive step writes a table row whose entries differ between candidates', async () => {
    const r = await run('prog', progressive(join(dir, 'meta')));
    assert.equal(r.row?.layer, 1);
    const accs = r.row?.accuracies.map((a) => a.accuracy) ?? [];
    assert.equal(accs.length, 4);
    assert.ok(new Set(accs).size > 1, `row ${accs}`);
    const row = (await getJson(new LocalStore(join(dir, 'prog')), 'row.json')) as { layer: number; candidates: unknown[]; accuracies: unknown[] };
    assert.equal(row.layer, 1);
    assert.equal(row.candidates.length, 4);
  });

  void it('a progressive step without a finished supernet at init is a bad spec naming phase.init', async () => {
    await assert.rejects(
      run('noinit', progressive(join(dir, 'nothing-here'))),
      (err: unknown) => err instanceof BadSpecError && /phase\.init/.test(err.message),
    );
  });

  void it('rejects fixed choices that do not match the layer, naming the field', async () => {
    const bad = { ...base, phase: { type: 'progressive', layer: 2, fixed: [1], init: join(dir, 'meta') } };
    await assert.rejects(run('badfixed', bad), (err: unknown) => err instanceof BadSpecError && /#phase\.fixed/.test(err.message));
  });

  void it('stops, checkpoints and resumes meta-training to the uninterrupted result', async () => {
    const reference = await run('meta-ref', meta);
    let steps = 0;
    await assert.rejects(
      run('meta-cut', meta, () => ++steps > 13),
      PreemptedError,
    );
    const resumed = await run('meta-cut', meta);
    assert.equal(resumed.resumedFrom?.step, 13);
    assert.deepEqual(resumed.lossCurve, reference.lossCurve);
    assert.equal(resumed.valAccuracy, reference.valAccuracy);
  });
});
