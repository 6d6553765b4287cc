/**
 * Trained trials as GPU Jobs, end to end: operator → workflow → KubeLauncher → Job → pod on a GPU
 * node → the real trainer (run by the test's pod executor from the pod's own command and env) →
 * result.json → workflow → status. One kube-apiserver, one Temporal dev server.
 *
 * Covered: a search trains to Succeeded through Jobs that request GPUs and land on GPU nodes; a
 * trainer exit 2 (unusable data) counts as a failed trial; an evicted trial pod is replaced inside
 * its Job and the trainer resumes from its checkpoint without a failure being counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { KubeAdapter } from '../../src/kube/adapter.js';
import { KubeLauncher } from '../../src/kube/kube-launcher.js';
import type { Operator } from '../../src/operator/operator.js';
import { startInProcessOperator } from './in-process-operator.js';
import { createSearchWorker } from '../../src/worker/worker.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { GROUP, PLURAL, VERSION, type NeuralArchitectureSearch } from '../../src/api/resource-spec.js';
import { makeResource } from '../integration/kube/resource-builder.js';
import { EXECUTOR_LABEL, PodExecutor } from './pod-executor.js';
import { startTrainerCluster, type TrainerCluster } from './trainer-cluster.js';
import { at } from '../../src/common/indexing.js';

const NS = 'default';
const TASK_QUEUE = 'nasflow-e2e-trials';
const GPU_NODES = ['exec-gpu-0', 'exec-gpu-1', 'exec-gpu-2'];

void describe('trained trials as GPU Jobs (operator + worker + KubeLauncher + trainer)', () => {
  let temporal: Handle<TemporalEndpoints>;
  let connection: Connection;
  let worker: Worker;
  let workerRun: Promise<void>;
  let closeWorker: () => Promise<void>;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let adapter: KubeAdapter;
  let executor: PodExecutor;
  let operator: Operator;
  let dir: string;
  let cluster: TrainerCluster | undefined;

  const get = async (name: string) =>
    (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name })) as NeuralArchitectureSearch;
  const finished = (name: string, phase: string) =>
    eventually(async () => {
      const s = await get(name);
      assert.equal(s.status?.phase, phase, JSON.stringify(s.status));
      return s;
    }, TIMEOUTS.long);
  /** A small trained search: NASNet cells, N=1, F=4, 8x8 images, a few dozen samples, one GPU per trial. */
  const trained = (name: string) =>
    makeResource(name, NS)
      .set('space', 'nasnet')
      .set('evaluator', { type: 'train' })
      .set('dataset', `file://${join(dir, 'synth')}`)
      .set('storage', join(dir, 'store'))
      .set('macro', { cellsPerStage: 1, filters: 4, classes: 10 })
      .set('trial', { epochs: 1, batchSize: 16, imageSize: 8, maxTrainSamples: 48, valFraction: 0.25, checkpointEverySteps: 1 })
      .set('template', { nodeSelector: { [EXECUTOR_LABEL]: 'true' }, resources: { limits: { 'nvidia.com/gpu': 1 } } })
      .set('storageSecretRef', { name: 's3-creds' });

  before(async () => {
    cluster = await startTrainerCluster({ dirPrefix: 'nasflow-e2e-trials-', gpuNodes: GPU_NODES, namespace: NS });
    ({ temporal, dir, custom, core, adapter, executor } = cluster);
    // The pod's command runs on this machine: the CLI under this Node binary instead of the image's `nasflow`
    // (image-trials.test.ts runs the image itself). The GPU nodes are simulated: no GPU requirement.
    const launcher = new KubeLauncher({ api: adapter, defaults: { image: 'nasflow/trainer:e2e', command: [process.execPath, CLI_ENTRY], requireGpu: false } });
    const made = await createSearchWorker({
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: TASK_QUEUE,
      env: process.env,
      workDir: join(dir, 'launcher'),
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
      identity: 'e2e',
    });
  });

  after(async () => {
    await operator?.stop().catch(() => undefined);
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch(() => undefined);
    await closeWorker?.().catch(() => undefined);
    await connection?.close();
    await cluster?.stop();
  });

  void it('trains a search to Succeeded through Jobs that request GPUs and run on GPU nodes', async () => {
    const started = Date.now();
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NS,
      plural: PLURAL,
      body: trained('trained').budget({ maxTrials: 2, parallelism: 2 }).obj(),
    });
    const s = await finished('trained', 'Succeeded');
    console.error(`2 trained trials through Jobs: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual({ ...s.status!.trials }, { succeeded: 2, failed: 0, running: 0, completed: 2, infraRetries: 0, maxTrials: 2 });
    assert.match(s.status!.best!.accuracy, /^\d+\.\d{2}$/);
    const jobs = await adapter.listJobs(NS, 'nasflow.io/search=trained');
    assert.equal(jobs.length, 2);
    for (const j of jobs) {
      assert.equal(at(j.spec!.template.spec!.containers, 0).resources!.limits!['nvidia.com/gpu'], '1');
      const pods = await adapter.listJobPods(NS, j.metadata!.name!);
      assert.equal(pods.length, 1);
      const pod = at(pods, 0);
      assert.ok(GPU_NODES.includes(pod.spec!.nodeName!), `pod on ${pod.spec!.nodeName}`);
      assert.equal(executor.exits.get(pod.metadata!.name!), 0);
    }
  });

  void it('runs PONAS one-shot stages as GPU Jobs: supernet meta-training, one Job per table row, then the selected children', async () => {
    // One table row and one child keep the case to three Jobs (each a trainer process building the
    // 19-layer network): the stage order and the Job per step are what this case adds to the
    // workflow-level PONAS tests, which cover several rows and children.
    const body = trained('ponas')
      .set('space', 'ponas')
      .set('algorithm', { ponas: { supernet: { layers: 1, candidates: [0, 5, 11], fineTuneSteps: 3, metaTrial: { epochs: 1 } } } })
      .set('macro', { classes: 10, headFilters: 32 })
      .budget({ maxTrials: 1, parallelism: 1 })
      .obj();
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body });
    const stageSeen = eventually(
      async () => {
        const running = (await get('ponas')).status?.conditions?.find((c) => c.type === 'Running');
        assert.match(running?.message ?? '', /^supernet (meta-training|table row \d\/1);/);
        return running!.message;
      },
      TIMEOUTS.long,
      100,
    );
    const s = await finished('ponas', 'Succeeded');
    console.error(`PONAS stage seen in status: ${await stageSeen}`);
    assert.deepEqual({ ...s.status!.trials }, { succeeded: 1, failed: 0, running: 0, completed: 1, infraRetries: 0, maxTrials: 1 });
    const jobs = await adapter.listJobs(NS, 'nasflow.io/search=ponas');
    const names = jobs.map((j) => j.metadata!.name!);
    assert.equal(names.filter((n) => /-rsupernet-[0-1]$/.test(n)).length, 2, names.join(' '));
    assert.equal(jobs.length, 3, 'meta + 1 table row + 1 child');
    for (const j of jobs) {
      const pod = at(await adapter.listJobPods(NS, j.metadata!.name!), 0);
      assert.ok(GPU_NODES.includes(pod.spec!.nodeName!));
      assert.equal(executor.exits.get(pod.metadata!.name!), 0);
    }
    const uid = (await get('ponas')).metadata.uid;
    const table = JSON.parse(readFileSync(join(dir, 'store', 'searches', NS, 'ponas', uid, 'tables', 'ponas-accuracy.json'), 'utf8')) as { rows: unknown[] };
    assert.equal(table.rows.length, 1);
  });

  void it('counts a trainer exit 2 (unusable dataset) as a failed trial', async () => {
    const body = trained('bad-data')
      .set('dataset', `file://${join(dir, 'no-such-dataset')}`)
      .budget({ maxTrials: 2, parallelism: 1, maxFailedTrials: 0 })
      .obj();
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body });
    const s = await finished('bad-data', 'Failed');
    assert.equal(s.status!.trials!.failed, 1);
    const jobs = await adapter.listJobs(NS, 'nasflow.io/search=bad-data');
    const evidence = await Promise.all(
      jobs.map(async (j) => ({
        job: j.metadata!.name,
        conditions: j.status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`),
        pods: (await adapter.listJobPods(NS, j.metadata!.name!)).map((p) => ({
          phase: p.status?.phase,
          exit: p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode,
        })),
      })),
    );
    assert.equal(s.status!.trials!.infraRetries, 0, `a user failure is never retried: ${JSON.stringify(evidence)}`);
    assert.equal(jobs.length, 1);
    assert.match(s.status!.message ?? '', /exit 2/);
    assert.match(s.status!.message ?? '', /no-such-dataset/);
  });

  void it('replaces an evicted trial pod inside its Job; the trainer resumes from its checkpoint and nothing counts as failed', async () => {
    const body = trained('evicted')
      .set('trial', { epochs: 4, batchSize: 8, imageSize: 8, maxTrainSamples: 64, valFraction: 0.25, checkpointEverySteps: 1 })
      .budget({ maxTrials: 1, parallelism: 1, maxFailedTrials: 0 })
      .obj();
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body });
    const uid = (await get('evicted')).metadata.uid;
    const latest = join(dir, 'store', 'searches', NS, 'evicted', uid, 'trials', NS, 'evicted', uid, '0', '0', 'checkpoints', 'LATEST');
    const first = await eventually(
      async () => {
        assert.ok(existsSync(latest), 'a checkpoint was written');
        const jobs = await adapter.listJobs(NS, 'nasflow.io/search=evicted');
        const pods = await adapter.listJobPods(NS, at(jobs, 0).metadata!.name!);
        assert.equal(pods[0]?.status?.phase, 'Running');
        return at(pods, 0);
      },
      TIMEOUTS.long,
      100,
    );
    await core.createNamespacedPodEviction({ namespace: NS, name: first.metadata!.name!, body: { metadata: { name: first.metadata!.name!, namespace: NS } } });
    const s = await finished('evicted', 'Succeeded');
    assert.equal(executor.exits.get(first.metadata!.name!), 75, 'the evicted trainer checkpointed and exited 75');
    assert.deepEqual({ ...s.status!.trials }, { succeeded: 1, failed: 0, running: 0, completed: 1, infraRetries: 0, maxTrials: 1 });
    const jobs = await adapter.listJobs(NS, 'nasflow.io/search=evicted');
    assert.equal(jobs.length, 1, 'the retry happened inside the Job');
    assert.equal(at(jobs, 0).status?.failed ?? 0, 0);
    const result = JSON.parse(readFileSync(join(latest, '..', '..', 'result.json'), 'utf8')) as { resumedFrom: unknown };
    assert.ok(result.resumedFrom, 'the second pod resumed from the checkpoint');
  });
});
