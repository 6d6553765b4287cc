/**
 * `nasflow search export`: two NASNet children trained by the real trainer (pure-JS backend, drop
 * path on) into a store laid out as a search writes it, exported by rank through the function, the
 * CLI on a local path and the CLI on a real S3 server. Each export is reloaded with
 * loadModelFromDir and must give the logits of the network rebuilt from the trial's final
 * checkpoint, bit for bit; its weights carry the builder's structural names.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { Client, Connection } from '@temporalio/client';
import { startS3Bucket, startTemporal, type S3Bucket } from '../../helpers/infra.js';
import { runCli } from '../../helpers/cli.js';
import { trainTinyTrial } from '../../helpers/tiny-trial.js';
import * as layout from '../../../src/api/store-layout.js';
import { at } from '../../../src/common/indexing.js';
import { startSearch } from '../../../src/client/search-client.js';
import { loadSpecFile } from '../../../src/cli/spec-file.js';
import { loadModelFromDir } from '../../../src/models/model-files.js';
import { LocalStore } from '../../../src/store/local-store.js';
import { getJson, putJson, withPrefix, type ObjectStore } from '../../../src/store/object-store.js';
import { S3Store } from '../../../src/store/s3-store.js';
import { loadBackend, type LoadedBackend } from '../../../src/trainer/backend.js';
import { findLatestCheckpoint } from '../../../src/trainer/checkpoint.js';
import { exportTrial, isExportError, rankTrials } from '../../../src/trainer/export-trial.js';
import { defaultModelFactory } from '../../../src/trainer/factories.js';
import { parseTrialSpec } from '../../../src/trainer/spec.js';
import { writeSynthetic } from '../../../src/trainer/synth.js';

const SEARCH = 'local/export-it/a1b2c3';
const IMAGE = 8;

void describe('search export: trained trial -> tfjs layers model -> identical logits', () => {
  let dir: string;
  let storage: string;
  let store: ObjectStore;
  let backend: LoadedBackend;

  /** Trains one trial of SEARCH with the real trainer, its spec where a search puts it. */
  const train = async (trialId: string, seed: number): Promise<void> => {
    await trainTinyTrial({
      store,
      storage,
      searchId: SEARCH,
      trialId,
      macro: { stem: 'cifar', cellsPerStage: 1, filters: 4, classes: 4 },
      recipe: { epochs: 1, batchSize: 16, imageSize: IMAGE, dropPathKeepProb: 0.6, checkpointEverySteps: 4 },
      dataset: join(dir, 'data'),
      seed,
      backend,
    });
  };

  /** Logits of the trial's network rebuilt from its spec with the newest checkpoint's weights in order, as a resume would. */
  const checkpointLogits = async (trialId: string, x: Float32Array): Promise<Float32Array> => {
    const { tf } = backend;
    const spec = parseTrialSpec(await getJson(store, layout.trialSpecKey(SEARCH, trialId)));
    const cp = await findLatestCheckpoint(withPrefix(store, layout.trialPrefix(SEARCH, trialId)));
    assert.ok(cp, `${trialId} has a checkpoint`);
    const built = await defaultModelFactory(tf, spec, { height: IMAGE, width: IMAGE, channels: 3 });
    assert.deepEqual(
      cp.state.tensors.map((t) => t.name),
      built.model.weights.map((w) => w.originalName),
      'the checkpoint records the structural names in model.weights order',
    );
    built.model.weights.forEach((w, i) => w.write(tf.tensor(at(cp.weights, i, 'checkpoint tensor'), w.read().shape)));
    const out = tf.tidy(() => (built.model.predict(tf.tensor(x, [2, IMAGE, IMAGE, 3])) as tfc.Tensor).dataSync() as Float32Array);
    built.model.dispose();
    return out;
  };

  const reloadLogits = async (out: string, x: Float32Array): Promise<{ logits: Float32Array; names: string[]; classes: string[] }> => {
    const { tf } = backend;
    const model = await loadModelFromDir(tf, out);
    const logits = tf.tidy(() => (model.predict(tf.tensor(x, [2, IMAGE, IMAGE, 3])) as tfc.Tensor).dataSync() as Float32Array);
    const names = model.weights.map((w) => w.originalName);
    const classes = model.layers.map((l) => l.getClassName());
    model.dispose();
    return { logits, names, classes };
  };

  const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
    assert.equal(a.length, b.length);
    return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  };

  /** A fixed input: a deterministic ramp in [-1, 1]. */
  const input = Float32Array.from({ length: 2 * IMAGE * IMAGE * 3 }, (_, i) => Math.sin(i * 0.37));
  let ranked: { trialId: string; accuracy: number }[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nasflow-export-'));
    storage = join(dir, 'storage');
    store = new LocalStore(storage);
    backend = await loadBackend('cpu', () => undefined);
    await writeSynthetic(new LocalStore(join(dir, 'data')), { classes: 4, train: 120, test: 0, seed: 3 });
    await train(`${SEARCH}/0/0`, 1);
    await train(`${SEARCH}/0/1`, 2);
    ranked = await rankTrials(store, SEARCH);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  void it('ranks the finished trials from their result.json files, best first', () => {
    assert.deepEqual(ranked.map((r) => r.trialId).sort(), [`${SEARCH}/0/0`, `${SEARCH}/0/1`]);
    assert.ok(at(ranked, 0, 'rank 1').accuracy >= at(ranked, 1, 'rank 2').accuracy);
  });

  void it('exports the best trial; the reload gives the checkpoint network its logits exactly, under structural names', async (t) => {
    const out = join(dir, 'best');
    const done = await exportTrial({ tf: backend.tf, store, searchId: SEARCH, outDir: out });
    const best = at(ranked, 0, 'rank 1').trialId;
    assert.equal(done.trialId, best);
    assert.equal(done.rank, 1);
    const reference = await checkpointLogits(best, input);
    const reloaded = await reloadLogits(out, input);
    const diff = maxAbsDiff(reference, reloaded.logits);
    t.diagnostic(`max |logit difference| export vs checkpoint network: ${diff} over ${reference.length} logits; ${reloaded.names.length} weights`);
    assert.equal(diff, 0);
    assert.ok(reference.some((v) => v !== 0));

    assert.deepEqual(reloaded.names, done.weightNames);
    for (const name of ['stem/conv/kernel', 'stem/bn/moving_mean', 'head/dense/kernel', 'cell_0/block_0/left/sep_5x5/sep_1/separable/depthwise_kernel']) {
      assert.ok(reloaded.names.includes(name), `${name} in ${reloaded.names.slice(0, 8).join(', ')}, ...`);
    }
    assert.ok(
      reloaded.names.every((n) => /^(stem|cell_\d+|reduction_cell_\d+|head)\/[a-z0-9_/]+$/.test(n)),
      'every weight has a structural name',
    );
    assert.ok(!reloaded.classes.includes('ScheduledDropPath'), 'the export has no drop-path layers (identity at inference)');

    const spec = parseTrialSpec(await getJson(store, layout.trialSpecKey(SEARCH, best)));
    const json = async (name: string): Promise<unknown> => JSON.parse(await readFile(join(out, name), 'utf8')) as unknown;
    assert.deepEqual(await json('genotype.json'), { space: 'nasnet', genotype: spec.genotype });
    assert.deepEqual(await json('macro.json'), spec.macro);
    assert.deepEqual(await json('recipe.json'), spec.recipe);
    assert.deepEqual(await json('result.json'), await getJson(store, layout.trialResultKey(SEARCH, best)));
    assert.equal(((await json('export.json')) as { trialId: string }).trialId, best);
  });

  void it('the CLI exports rank 2 from a local storage path', async () => {
    const out = join(dir, 'second');
    const run = await runCli(['search', 'export', SEARCH, '--storage', storage, '--rank', '2', '--out', out, '--json'], {
      ...process.env,
      NASFLOW_TF_BACKEND: 'cpu',
    });
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as { trialId: string; rank: number };
    const second = at(ranked, 1, 'rank 2').trialId;
    assert.equal(printed.trialId, second);
    assert.equal(printed.rank, 2);
    assert.equal(maxAbsDiff(await checkpointLogits(second, input), (await reloadLogits(out, input)).logits), 0);
  });

  void it('the CLI exports from s3:// (a real S3 server) on the fastest backend that loads, as a user runs it', async () => {
    const bucket: S3Bucket = await startS3Bucket('nasflow-export-it');
    try {
      const s3 = withPrefix(new S3Store(bucket.client, bucket.bucket), 'nas');
      for (const key of await store.list('searches/')) await s3.put(key, await store.get(key));
      const out = join(dir, 's3-best');
      const run = await runCli(['search', 'export', SEARCH, '--storage', `s3://${bucket.bucket}/nas`, '--out', out], {
        ...process.env,
        ...bucket.env,
        NASFLOW_TF_BACKEND: '', // native when provisioned: the weights are copied, not computed, so the reload still matches exactly
      });
      assert.equal(run.code, 0, run.stderr);
      const best = at(ranked, 0, 'rank 1').trialId;
      assert.match(run.stdout, new RegExp(`exported trial ${best} \\(rank 1`));
      assert.equal(maxAbsDiff(await checkpointLogits(best, input), (await reloadLogits(out, input)).logits), 0);
    } finally {
      await bucket.stop();
    }
  });

  void it("without --storage, the CLI asks the search's workflow for its storage (a real Temporal dev server)", async () => {
    const temporal = await startTemporal();
    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection, namespace: temporal.namespace });
      const spec = { ...loadSpecFile(join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'quickstart.yaml')), storage };
      // Started and left waiting for a worker: the workflow exists, as for a running search.
      const handle = await startSearch(client, spec, { searchId: SEARCH });
      const conn = ['--address', temporal.address, '--namespace', temporal.namespace];
      const env = { ...process.env, NASFLOW_TF_BACKEND: 'cpu' };
      const out = join(dir, 'via-temporal');
      const run = await runCli(['search', 'export', SEARCH, ...conn, '--out', out], env);
      assert.equal(run.code, 0, run.stderr);
      const best = at(ranked, 0, 'rank 1').trialId;
      assert.match(run.stdout, new RegExp(`exported trial ${best} \\(rank 1`));
      assert.equal(maxAbsDiff(await checkpointLogits(best, input), (await reloadLogits(out, input)).logits), 0);

      const unknown = await runCli(['search', 'export', 'local/unknown/x', ...conn, '--out', join(dir, 'unknown')], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /search local\/unknown\/x is not known to Temporal .*pass --storage/);
      await handle.terminate('test done');
    } finally {
      await connection.close();
      await temporal.stop();
    }
  });

  void it("exports a trial checkpointed under tfjs's automatic names (before layers were named): weights go by position", async () => {
    const best = at(ranked, 0, 'rank 1').trialId;
    const old = 'local/old/o1';
    const from = `${layout.trialPrefix(SEARCH, best)}/`;
    const to = `${layout.trialPrefix(old, `${old}/0/0`)}/`;
    for (const key of await store.list(from)) {
      let data = await store.get(key);
      if (key.endsWith('/state.json')) {
        const state = JSON.parse(new TextDecoder().decode(data)) as { tensors: { name: string }[] };
        state.tensors = state.tensors.map((t, i) => ({ ...t, name: `conv2d_Conv2D${i + 1}/kernel` }));
        data = new TextEncoder().encode(JSON.stringify(state));
      }
      await store.put(to + key.slice(from.length), data);
    }
    const out = join(dir, 'old-names');
    const done = await exportTrial({ tf: backend.tf, store, searchId: old, outDir: out });
    assert.equal(done.trialId, `${old}/0/0`);
    assert.ok(done.weightNames.includes('stem/conv/kernel'), 'the export carries the structural names');
    assert.equal(maxAbsDiff(await checkpointLogits(best, input), (await reloadLogits(out, input)).logits), 0);
  });

  void it('refuses a missing rank, a benchmark trial and a trial without checkpoints, naming the trial and the fix', async () => {
    const attempt = (searchId: string, rank = 1) => exportTrial({ tf: backend.tf, store, searchId, rank, outDir: join(dir, 'refused') });
    await assert.rejects(attempt(SEARCH, 3), (err) => isExportError(err) && /has 2 finished trial\(s\); --rank must be 1\.\.2, received 3/.test(err.message));
    await assert.rejects(attempt('local/nothing/here'), (err) => isExportError(err) && /no finished trial/.test(err.message));

    const bench = 'local/bench/b1';
    await putJson(store, layout.trialResultKey(bench, `${bench}/0/0`), {
      schemaVersion: 1,
      kind: 'benchmark',
      benchmark: 'cifar10',
      valAccuracy: 0.9,
      testAccuracy: 0.9,
      simulatedSeconds: 1,
      readyAtMs: 0,
    });
    await assert.rejects(
      attempt(bench),
      (err) => isExportError(err) && err.message.includes(`trial ${bench}/0/0`) && /benchmark table, not trained/.test(err.message),
    );

    // A trial whose checkpoints are gone: its spec and result, nothing else.
    const bare = 'local/bare/c1';
    const source = at(ranked, 0, 'rank 1').trialId;
    const trialId = `${bare}/0/0`;
    await store.put(layout.trialSpecKey(bare, trialId), await store.get(layout.trialSpecKey(SEARCH, source)));
    await store.put(layout.trialResultKey(bare, trialId), await store.get(layout.trialResultKey(SEARCH, source)));
    await assert.rejects(
      attempt(bare),
      (err) => isExportError(err) && err.message.includes(`trial ${trialId} has no complete checkpoint`) && /nasflow train --spec/.test(err.message),
    );

    const cli = await runCli(['search', 'export', bare, '--storage', storage, '--out', join(dir, 'refused')], { ...process.env, NASFLOW_TF_BACKEND: 'cpu' });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /has no complete checkpoint/);
  });
});
