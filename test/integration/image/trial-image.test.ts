/**
 * The trial image users deploy, run as a kubelet would run a trial pod: under runc, as uid 1000,
 * read-only root with a tmpfs /tmp, spec and dataset on the real S3 server. It trains
 * examples/trial-tiny.json and writes result.json to S3 (native backend inside the image, device
 * recorded); SIGTERM mid-training checkpoints and exits 75, and a rerun resumes from it; a trial
 * that requires a GPU exits 2 here (no GPU). Also times the same trial as a bare process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Bucket, type S3Bucket } from '../../helpers/infra.js';
import { imageTestsSkipReason, REPO_ROOT, trialImage } from '../../helpers/trial-image.js';
import { eventually, TIMEOUTS } from '../../helpers/wait.js';
import { startContainer, type Unpacked } from '../../../src/image/runc.js';
import { S3Store } from '../../../src/store/s3-store.js';
import { getJson, putJson } from '../../../src/store/object-store.js';
import * as layout from '../../../src/api/store-layout.js';
import { trainedResultSchema, type TrainedResult } from '../../../src/api/trial-result.js';
import { NASFLOW_BIN, startNode } from '../trainer/process-helpers.js';

const Bucket = 'nasflow-image-it';
const EXAMPLE = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'trial-tiny.json'), 'utf8')) as Record<string, unknown> & {
  recipe: Record<string, unknown>;
};

void describe('trial image under runc (non-root, read-only root, S3 on loopback)', { skip: imageTestsSkipReason() ?? false }, () => {
  let bucket: S3Bucket;
  let store: S3Store;
  let image: Unpacked;
  let work: string;
  let n = 0;

  before(async () => {
    const started = Date.now();
    const { built, unpacked } = await trialImage();
    console.error(
      `[image] ${built.ref} ${built.digest} (${built.cached ? 'cached' : 'built'}; ${(built.compressedBytes / 1e6).toFixed(0)} MB compressed, ${(built.uncompressedBytes / 1e6).toFixed(0)} MB uncompressed) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    image = unpacked;
    work = mkdtempSync(join(tmpdir(), 'nasflow-runc-'));
    bucket = await startS3Bucket(Bucket);
    store = new S3Store(bucket.client, Bucket);
    const synth = startNode(
      NASFLOW_BIN,
      ['dataset', 'synth', '--out', `s3://${Bucket}/datasets/synth`, '--train', '160', '--test', '32', '--seed', '3'],
      bucket.env,
    );
    assert.equal((await synth.exited).code, 0, synth.stderr());
  });
  after(async () => {
    await bucket?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Puts trial-tiny (with overrides) at its layout key and returns the spec URI. */
  async function putSpec(search: string, recipe: Record<string, unknown> = {}): Promise<string> {
    const trialId = `${search}/0/0`;
    const spec = { ...EXAMPLE, trialId, dataset: `s3://${Bucket}/datasets/synth`, recipe: { ...EXAMPLE.recipe, ...recipe } };
    const key = layout.trialSpecKey(search, trialId);
    await putJson(store, key, spec);
    return `s3://${Bucket}/${key}`;
  }
  const resultOf = async (search: string) => trainedResultSchema.parse(await getJson(store, layout.trialResultKey(search, `${search}/0/0`)));

  /** `nasflow train --spec <uri>` in the image, as the trial Job's pod runs it. */
  function runTrainer(specUri: string, env: Record<string, string> = {}) {
    const c = startContainer(
      image,
      { args: ['nasflow', 'train', '--spec', specUri], env: { ...bucket.env, ...env }, uid: 1000, gid: 1000 },
      work,
      `trial-${process.pid}-${n++}`,
    );
    let log = '';
    c.child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    c.child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    return { ...c, log: () => log };
  }

  void it('trains trial-tiny and writes result.json to S3, on the native backend, device recorded, as uid 1000', async (t) => {
    const spec = await putSpec('tiny');
    const started = Date.now();
    const run = runTrainer(spec);
    assert.equal(await run.exited, 0, run.log());
    const runcSeconds = (Date.now() - started) / 1000;
    const r: TrainedResult = await resultOf('tiny');
    assert.equal(r.backendPackage, 'tfjs-node', 'the image carries the native TensorFlow backend');
    assert.equal(r.backend, 'tensorflow');
    assert.deepEqual(r.device?.kind, 'cpu');
    assert.match(run.log(), /device: CPU \(no NVIDIA GPU is visible/);
    assert.equal(r.epochs.length, EXAMPLE.recipe.epochs);

    // The same trial as a bare process on this machine, for the runc overhead figure.
    const bareSpec = await putSpec('tiny-bare');
    const bareStarted = Date.now();
    const bare = startNode(NASFLOW_BIN, ['train', '--spec', bareSpec], { ...bucket.env, NASFLOW_TF_BACKEND: '' });
    assert.equal((await bare.exited).code, 0, bare.stderr());
    const bareSeconds = (Date.now() - bareStarted) / 1000;
    const b = await resultOf('tiny-bare');
    t.diagnostic(
      `trial-tiny: ${runcSeconds.toFixed(1)} s under runc (trainer ${r.wallSeconds.toFixed(1)} s, ${r.imagesPerSecond.toFixed(0)} img/s) vs ${bareSeconds.toFixed(1)} s bare (trainer ${b.wallSeconds.toFixed(1)} s, ${b.imagesPerSecond.toFixed(0)} img/s, ${b.backendPackage})`,
    );
  });

  void it('SIGTERM checkpoints and exits 75; a rerun resumes from that checkpoint and finishes', async () => {
    const spec = await putSpec('preempt', { epochs: 3, checkpointEverySteps: 2 });
    const latest = `${layout.trialPrefix('preempt', 'preempt/0/0')}/${layout.CHECKPOINT_LATEST}`;
    const first = runTrainer(spec);
    await eventually(async () => assert.ok(await store.exists(latest), 'no checkpoint yet'), TIMEOUTS.long);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 75, first.log());
    assert.match(first.log(), /SIGTERM received; checkpointing/);
    const second = runTrainer(spec);
    assert.equal(await second.exited, 0, second.log());
    const r = await resultOf('preempt');
    assert.ok(r.resumedFrom !== null && r.resumedFrom.step > 0, `resumed from ${JSON.stringify(r.resumedFrom)}`);
    assert.equal(r.epochs.length, 3);
  });

  void it('a trial that requires a GPU exits 2 with a message saying why, before training', async () => {
    const spec = await putSpec('needs-gpu');
    const run = runTrainer(spec, { NASFLOW_REQUIRE_GPU: '1' });
    assert.equal(await run.exited, 2, run.log());
    assert.match(run.log(), /requires a GPU .* but would train on the CPU: no NVIDIA GPU is visible/);
    assert.equal(await store.exists(layout.trialResultKey('needs-gpu', 'needs-gpu/0/0')), false);
  });
});
