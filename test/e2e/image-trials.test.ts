/**
 * The artefact users deploy, end to end: kubectl apply (the API) → operator → workflow →
 * KubeLauncher → Job → pod on a GPU node → the trial image run under runc by the test kubelet
 * (pod-executor.ts; uid 1000, read-only root, the pod's env and command) → spec, dataset,
 * checkpoints and result.json on the real S3 server → workflow → status Succeeded.
 *
 * The cluster's GPU nodes are simulated (no GPU here), so the worker's trial defaults turn off the
 * GPU requirement that a real GPU request implies (requireGpu: false).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import { startS3Bucket, type S3Bucket } from '../helpers/infra.js';
import { trialImage } from '../helpers/trial-image.js';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { KubeAdapter } from '../../src/kube/adapter.js';
import { KubeLauncher } from '../../src/kube/kube-launcher.js';
import type { Operator } from '../../src/operator/operator.js';
import { startInProcessOperator } from './in-process-operator.js';
import { createSearchWorker } from '../../src/worker/worker.js';
import { GROUP, PLURAL, VERSION, type NeuralArchitectureSearch } from '../../src/api/resource-spec.js';
import { S3Store } from '../../src/store/s3-store.js';
import { trainedResultSchema } from '../../src/api/trial-result.js';
import { makeResource } from '../integration/kube/resource-builder.js';
import { EXECUTOR_LABEL, PodExecutor } from './pod-executor.js';
import { startClusterWithCrd } from './cluster.js';
import { NASFLOW_BIN, startNode } from '../integration/trainer/process-helpers.js';
import { at } from '../../src/common/indexing.js';

const NS = 'default';
const TASK_QUEUE = 'nasflow-e2e-image';
const GPU_NODES = ['img-gpu-0', 'img-gpu-1'];
const Bucket = 'nasflow-e2e-image';

void describe('trained search whose trial pods run the trial image under runc (S3 storage)', () => {
  let kube: Handle<KubeEndpoints>;
  let temporal: Handle<TemporalEndpoints>;
  let bucket: S3Bucket;
  let connection: Connection;
  let worker: Worker;
  let workerRun: Promise<void>;
  let closeWorker: () => Promise<void>;
  let custom: CustomObjectsApi;
  let adapter: KubeAdapter;
  let executor: PodExecutor;
  let operator: Operator;
  let work: string;
  let imageRef: string;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const { built, unpacked } = await trialImage();
    imageRef = built.ref;
    ({ kube, temporal } = await startClusterWithCrd());
    bucket = await startS3Bucket(Bucket);
    work = mkdtempSync(join(tmpdir(), 'nasflow-e2e-image-'));
    const synth = startNode(NASFLOW_BIN, ['dataset', 'synth', '--out', `s3://${Bucket}/datasets/synth`, '--train', '96', '--test', '32'], bucket.env);
    assert.equal((await synth.exited).code, 0, synth.stderr());
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    const core = kc.makeApiClient(CoreV1Api);
    adapter = new KubeAdapter(kc);
    await core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: { name: 's3-creds' },
        stringData: { AWS_ACCESS_KEY_ID: bucket.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: bucket.env.AWS_SECRET_ACCESS_KEY },
      },
    });
    executor = new PodExecutor(kc, GPU_NODES, 1, { unpacked, workDir: join(work, 'runc') });
    await executor.start();
    // The image's own `nasflow` (the default command); S3 reached on loopback from the host network.
    const launcher = new KubeLauncher({
      api: adapter,
      defaults: { image: imageRef, s3Endpoint: bucket.env.NASFLOW_S3_ENDPOINT, s3Region: bucket.env.AWS_REGION, requireGpu: false },
    });
    const made = await createSearchWorker({
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: TASK_QUEUE,
      env: { ...process.env, ...bucket.env },
      workDir: join(work, 'launcher'),
      pollIntervalMs: 200,
      trainLauncher: launcher,
    });
    worker = made.worker;
    workerRun = worker.run();
    closeWorker = () => made.connection.close();
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: temporal.namespace });
    operator = await startInProcessOperator({
      adapter,
      custom,
      client,
      taskQueue: TASK_QUEUE,
      temporalNamespace: temporal.namespace,
      namespace: NS,
      identity: 'e2e-image',
    });
  });

  after(async () => {
    await operator?.stop().catch(() => undefined);
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch(() => undefined);
    await closeWorker?.().catch(() => undefined);
    await connection?.close();
    await executor?.stop();
    await Promise.all([kube?.stop(), temporal?.stop(), bucket?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  void it('trains a search to Succeeded; each trial pod ran the image (native backend) and wrote result.json to S3', async () => {
    const started = Date.now();
    const body = makeResource('imaged', NS)
      .set('space', 'nasnet')
      .set('evaluator', { type: 'train' })
      .set('dataset', `s3://${Bucket}/datasets/synth`)
      .set('storage', `s3://${Bucket}/store`)
      .set('macro', { cellsPerStage: 1, filters: 4, classes: 10 })
      .set('trial', { epochs: 1, batchSize: 16, imageSize: 8, maxTrainSamples: 48, valFraction: 0.25, checkpointEverySteps: 2 })
      .set('template', { nodeSelector: { [EXECUTOR_LABEL]: 'true' }, resources: { limits: { 'nvidia.com/gpu': 1 } } })
      .set('storageSecretRef', { name: 's3-creds' })
      .budget({ maxTrials: 2, parallelism: 2 })
      .obj();
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body });
    const s = await eventually(async () => {
      const got = (await custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: PLURAL,
        name: 'imaged',
      })) as NeuralArchitectureSearch;
      assert.equal(got.status?.phase, 'Succeeded', JSON.stringify(got.status));
      return got;
    }, TIMEOUTS.long);
    console.error(`2 trials from the image under runc: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual({ ...s.status!.trials }, { succeeded: 2, failed: 0, running: 0, completed: 2, infraRetries: 0, maxTrials: 2 });
    const jobs = await adapter.listJobs(NS, 'nasflow.io/search=imaged');
    assert.equal(jobs.length, 2);
    for (const j of jobs) {
      const c = at(j.spec!.template.spec!.containers, 0);
      assert.equal(c.image, imageRef);
      assert.deepEqual(c.command!.slice(0, 2), ['nasflow', 'train']);
      const pods = await adapter.listJobPods(NS, j.metadata!.name!);
      assert.equal(executor.exits.get(at(pods, 0).metadata!.name!), 0);
    }
    const store = new S3Store(bucket.client, Bucket);
    const results = (await store.list('store/')).filter((k) => k.endsWith('/result.json'));
    assert.equal(results.length, 2, results.join(' '));
    for (const key of results) {
      const r = trainedResultSchema.parse(JSON.parse(new TextDecoder().decode(await store.get(key))));
      assert.equal(r.backendPackage, 'tfjs-node', `${key}: trained by the image's native backend`);
      assert.equal(r.device?.kind, 'cpu');
    }
  });
});
