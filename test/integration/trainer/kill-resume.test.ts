/**
 * Process-level durability of the trainer: kill -9 in the second epoch, then a restart resumes
 * from the checkpoint and reproduces the uninterrupted run exactly; SIGTERM checkpoints and
 * exits 75 within 10 s. Uses the tiny test network (the loop does not depend on the model).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/store/local-store.js';
import { CHECKPOINT_LATEST } from '../../../src/api/store-layout.js';
import { findLatestCheckpoint } from '../../../src/trainer/checkpoint.js';
import { EXIT_PREEMPTED } from '../../../src/api/exit-codes.js';
import { writeSynthetic } from '../../../src/trainer/synth.js';
import { tinySpec } from '../../unit/trainer/fixtures/tiny-model.js';
import { NASFLOW_BIN, TINY_TRAIN, lastJsonLine, startNode, waitFor } from './process-helpers.js';

// 3 epochs of 24 steps (384 training images, batch 16); checkpoints every 5 steps.
const SPEC = tinySpec({ recipe: { epochs: 3, checkpointEverySteps: 5, batchSize: 16 }, seed: 11 });
const STEPS_PER_EPOCH = 24;

void describe('trainer process: kill -9, resume, SIGTERM', () => {
  let dir: string;
  let data: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nasflow-kill-'));
    data = join(dir, 'data');
    await writeSynthetic(new LocalStore(data), { classes: 4, train: 480, test: 0, seed: 5 });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const specAt = async (name: string): Promise<string> => {
    const path = join(dir, name, 'spec.json');
    await new LocalStore('/').put(path.slice(1), JSON.stringify(SPEC));
    return path;
  };
  const latestStep = async (out: string): Promise<number> => {
    try {
      return Number((await readFile(join(out, CHECKPOINT_LATEST), 'utf8')).trim());
    } catch {
      return -1;
    }
  };

  void it('resumes after kill -9 in epoch 2 from the checkpoint and matches the uninterrupted final loss exactly', async () => {
    const refSpec = await specAt('ref');
    const ref = startNode(TINY_TRAIN, [refSpec, data, join(dir, 'ref')]);
    assert.equal((await ref.exited).code, 0, ref.stderr());
    const reference = lastJsonLine(ref.stdout());

    const spec = await specAt('cut');
    const out = join(dir, 'cut');
    const victim = startNode(TINY_TRAIN, [spec, data, out]);
    // A mid-epoch checkpoint of epoch 2 (not the epoch-1 boundary).
    await waitFor('a checkpoint inside epoch 2', async () => (await latestStep(out)) >= STEPS_PER_EPOCH + 5);
    victim.child.kill('SIGKILL');
    assert.equal((await victim.exited).signal, 'SIGKILL');
    const cp = await findLatestCheckpoint(new LocalStore(out));
    assert.ok(
      cp && cp.state.epoch === 1 && cp.state.batchInEpoch > 0,
      `checkpoint inside epoch 2, got ${JSON.stringify(cp?.state.epoch)}/${cp?.state.batchInEpoch}`,
    );

    const again = startNode(TINY_TRAIN, [spec, data, out]);
    assert.equal((await again.exited).code, 0, again.stderr());
    const resumed = lastJsonLine(again.stdout());
    const from = resumed.resumedFrom as { step: number; epoch: number };
    assert.ok(from && from.step >= cp.state.step, `resumed from ${JSON.stringify(from)}`);
    assert.match(again.stderr(), /resuming from checkpoints\//);
    assert.equal(resumed.steps, reference.steps);
    assert.equal(resumed.finalTrainLoss, reference.finalTrainLoss);
    assert.equal(resumed.valLoss, reference.valLoss);
    assert.deepEqual(
      (resumed.epochs as { trainLoss: number }[]).map((e) => e.trainLoss),
      (reference.epochs as { trainLoss: number }[]).map((e) => e.trainLoss),
    );
  });

  void it('on SIGTERM writes a checkpoint and exits 75 in under 10 s, and a restart finishes from it', async (t) => {
    const spec = await specAt('term');
    const out = join(dir, 'term');
    const run = startNode(TINY_TRAIN, [spec, data, out]);
    await waitFor('training to start', () => /training tiny-test-net/.test(run.stderr()));
    await waitFor('a few steps', async () => (await latestStep(out)) >= 5);
    const t0 = Date.now();
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(code, EXIT_PREEMPTED, run.stderr());
    assert.ok(seconds < 10, `exit took ${seconds}s`);
    const m = /checkpoint written at step (\d+)/.exec(run.stderr());
    assert.ok(m, run.stderr());
    assert.equal(await latestStep(out), Number(m[1]), 'LATEST names the checkpoint written on SIGTERM');

    const again = startNode(TINY_TRAIN, [spec, data, out]);
    assert.equal((await again.exited).code, 0, again.stderr());
    const result = lastJsonLine(again.stdout());
    assert.equal((result.resumedFrom as { step: number }).step, Number(m[1]));
    t.diagnostic(`SIGTERM to exit: ${seconds.toFixed(2)} s`);
  });

  void it('resumes a PONAS supernet meta-training trial after kill -9 to the uninterrupted loss curve', async () => {
    const spec = {
      schemaVersion: 1,
      kind: 'ponas-supernet',
      supernet: { classes: 4, widthMultiplier: 0.25, layers: 3, candidates: [0, 5, 11] },
      phase: { type: 'meta' },
      recipe: { epochs: 1, batchSize: 16, imageSize: 8, checkpointEverySteps: 3, valFraction: 0.2 },
      seed: 4,
    };
    const write = async (name: string): Promise<string> => {
      const path = join(dir, name, 'spec.json');
      await new LocalStore('/').put(path.slice(1), JSON.stringify(spec));
      return path;
    };
    const ref = startNode(NASFLOW_BIN, ['train', '--spec', await write('sn-ref'), '--dataset', data]);
    assert.equal((await ref.exited).code, 0, ref.stderr());
    const reference = lastJsonLine(ref.stdout());

    const out = join(dir, 'sn-cut');
    const specPath = await write('sn-cut');
    const victim = startNode(NASFLOW_BIN, ['train', '--spec', specPath, '--dataset', data]);
    await waitFor('a supernet checkpoint past step 6', async () => (await latestStep(out)) >= 6);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const again = startNode(NASFLOW_BIN, ['train', '--spec', specPath, '--dataset', data]);
    assert.equal((await again.exited).code, 0, again.stderr());
    const resumed = lastJsonLine(again.stdout());
    assert.ok((resumed.resumedFrom as { step: number }).step >= 6, JSON.stringify(resumed.resumedFrom));
    assert.deepEqual(resumed.lossCurve, reference.lossCurve);
    assert.equal(resumed.valAccuracy, reference.valAccuracy);
  });
});
