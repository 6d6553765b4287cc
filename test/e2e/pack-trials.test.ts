/**
 * Packed trials (spec trial.perGpu > 1), end to end: operator → workflow → KubeLauncher → pack
 * Job (one GPU) → pod on a GPU node → the agent `nasflow trial pack` (run by the test's pod
 * executor from the pod's own command) → real trainers as its child processes → result.json →
 * workflow → status. One kube-apiserver, one Temporal dev server.
 *
 * Covered: 4 trials at perGpu 2 run in 2 pack pods that each request one GPU, never more than 2
 * trainers at once in a pod; a pack pod deleted mid-trial fails its trials as infrastructure
 * (retried in a new pack, nothing counted as failed); a worker restarted while packed trials run
 * re-attaches and no attempt starts twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { KubeAdapter } from '../../src/kube/adapter.js';
import { KubeLauncher, storageOpener } from '../../src/kube/kube-launcher.js';
import { ConfigMapPackTables } from '../../src/kube/pack-table-store.js';
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
const TASK_QUEUE = 'nasflow-e2e-packs';
const GPU_NODES = ['pack-gpu-0', 'pack-gpu-1', 'pack-gpu-2'];
/** The tiny recipe of kube-trials.test.ts, two trials to a GPU. */
const TINY = { epochs: 1, batchSize: 16, imageSize: 8, maxTrainSamples: 48, valFraction: 0.25, checkpointEverySteps: 1, perGpu: 2 };
/** Long enough to act on while it runs (12 steps, a checkpoint after each). */
const LONGER = { ...TINY, epochs: 2, batchSize: 8, maxTrainSamples: 64 };

void describe('packed trials: perGpu trainers in one GPU pod (KubeLauncher + pack agent + trainer)', () => {
  let temporal: Handle<TemporalEndpoints>;
  let connection: Connection;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let adapter: KubeAdapter;
  let executor: PodExecutor;
  let operator: Operator;
  let dir: string;
  let cluster: TrainerCluster | undefined;
  let stopWorker: () => Promise<void>;

  /** An in-process worker with its own KubeLauncher (a restart makes a new one: nothing carries over but the cluster and storage). */
  const startWorker = async (): Promise<() => Promise<void>> => {
    const launcher = new KubeLauncher({
      api: adapter,
      defaults: { image: 'nasflow/trainer:e2e', command: [process.execPath, CLI_ENTRY], requireGpu: false },
      packs: { tables: new ConfigMapPackTables(adapter.core), openStorage: storageOpener(process.env), idleSeconds: 3 },
    });
    const made = await createSearchWorker({
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: TASK_QUEUE,
      env: process.env,
      workDir: join(dir, 'launcher'),
      pollIntervalMs: 200,
      trainLauncher: launcher,
    });
    const worker: Worker = made.worker;
    const run = worker.run();
    return async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run.catch(() => undefined);
      await made.connection.close().catch(() => undefined);
    };
  };

  const get = async (name: string) =>
    (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name })) as NeuralArchitectureSearch;
  const finished = (name: string, phase: string) =>
    eventually(async () => {
      const s = await get(name);
      assert.equal(s.status?.phase, phase, JSON.stringify(s.status));
      return s;
    }, TIMEOUTS.long);
  const trained = (name: string, trial: Record<string, unknown>) =>
    makeResource(name, NS)
      .set('space', 'nasnet')
      .set('evaluator', { type: 'train' })
      .set('dataset', `file://${join(dir, 'synth')}`)
      .set('storage', join(dir, 'store'))
      .set('macro', { cellsPerStage: 1, filters: 4, classes: 10 })
      .set('trial', trial)
      .set('template', { nodeSelector: { [EXECUTOR_LABEL]: 'true' }, resources: { limits: { 'nvidia.com/gpu': 1 } } })
      .set('storageSecretRef', { name: 's3-creds' });
  const create = (body: object) => custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body });
  const packJobs = (search: string) => adapter.listJobs(NS, `nasflow.io/search=${search},nasflow.io/pack=true`);

  /** Each pack's records in storage: its attempts' start and end times and exit codes. */
  const packRecords = async (search: string) => {
    const uid = (await get(search)).metadata.uid;
    const root = join(dir, 'store', 'searches', NS, search, uid!, 'packs');
    const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    const list = (p: string) => (existsSync(p) ? readdirSync(p) : []);
    return list(root).map((pack) => ({
      pack,
      started: list(join(root, pack, 'started')).map((f) => ({ key: f, at: Date.parse(read(join(root, pack, 'started', f)).startedAt as string) })),
      exited: list(join(root, pack, 'exited')).map((f) => ({ key: f, ...(read(join(root, pack, 'exited', f)) as { exitCode: number; endedAt?: string }) })),
    }));
  };
  /** The most attempts that ran at once in one pack, from the agent's started/exited records. */
  const mostAtOnce = (p: Awaited<ReturnType<typeof packRecords>>[number]): number => {
    const events = p.started.flatMap((s) => {
      const end = p.exited.find((e) => e.key === s.key);
      return [
        { t: s.at, d: 1 },
        { t: end?.endedAt ? Date.parse(end.endedAt) : Infinity, d: -1 },
      ];
    });
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let max = 0;
    for (const e of events) max = Math.max(max, (now += e.d));
    return max;
  };
  const resultsOf = (search: string, uid: string): string[] => {
    const root = join(dir, 'store', 'searches', NS, search, uid, 'trials');
    return (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('result.json'));
  };

  before(async () => {
    cluster = await startTrainerCluster({ dirPrefix: 'nasflow-e2e-packs-', gpuNodes: GPU_NODES, namespace: NS });
    ({ temporal, dir, custom, core, adapter, executor } = cluster);
    stopWorker = await startWorker();
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
    await stopWorker?.();
    await connection?.close();
    await cluster?.stop();
  });

  void it('runs 4 trials at perGpu 2 in 2 pack pods, one GPU each, never more than 2 trainers in a pod', async () => {
    await create(trained('packed', TINY).budget({ maxTrials: 4, parallelism: 4 }).obj());
    const s = await finished('packed', 'Succeeded');
    assert.deepEqual({ ...s.status!.trials }, { succeeded: 4, failed: 0, running: 0, completed: 4, infraRetries: 0, maxTrials: 4 });
    assert.equal(resultsOf('packed', s.metadata.uid!).length, 4, 'every trial wrote its result.json');
    const all = await adapter.listJobs(NS, 'nasflow.io/search=packed');
    const packs = await packJobs('packed');
    assert.equal(all.length, packs.length, 'no Job per trial');
    assert.equal(packs.length, 2, packs.map((j) => j.metadata!.name).join(' '));
    for (const j of packs) {
      assert.equal(at(j.spec!.template.spec!.containers, 0).resources!.limits!['nvidia.com/gpu'], '1');
      const pod = at(await adapter.listJobPods(NS, j.metadata!.name!), 0);
      assert.ok(GPU_NODES.includes(pod.spec!.nodeName!), `pod on ${pod.spec!.nodeName}`);
    }
    const records = await packRecords('packed');
    assert.equal(records.length, 2);
    for (const p of records) {
      assert.ok(mostAtOnce(p) <= 2, `${p.pack}: ${mostAtOnce(p)} trainers at once`);
      assert.deepEqual(
        p.exited.map((e) => e.exitCode),
        [0, 0],
      );
    }
    assert.equal(Math.max(...records.map(mostAtOnce)), 2, 'two trainers did share a pod');
    // With nothing left to run, each agent closes its pack and its Job completes (the GPU is free).
    await eventually(async () => {
      for (const j of packs) {
        const pod = at(await adapter.listJobPods(NS, j.metadata!.name!), 0);
        assert.equal(executor.exits.get(pod.metadata!.name!), 0);
      }
    }, TIMEOUTS.medium);
  });

  void it('fails the trials of a deleted pack pod as infrastructure and retries them in a new pack', async () => {
    await create(trained('lost-pack', LONGER).budget({ maxTrials: 2, parallelism: 2, maxFailedTrials: 0 }).obj());
    const pod = await eventually(
      async () => {
        const [first] = await packRecords('lost-pack');
        assert.equal(first?.started.length, 2, 'both trials started in the first pack');
        // Both trainers are past their first checkpoint (so they handle SIGTERM by checkpointing).
        const uid = (await get('lost-pack')).metadata.uid!;
        const trials = join(dir, 'store', 'searches', NS, 'lost-pack', uid, 'trials', NS, 'lost-pack', uid, '0');
        for (const i of ['0', '1']) assert.ok(existsSync(join(trials, i, 'checkpoints', 'LATEST')), `trial ${i} has a checkpoint`);
        const pods = await adapter.listJobPods(NS, first.pack);
        assert.equal(pods[0]?.status?.phase, 'Running');
        return at(pods, 0);
      },
      TIMEOUTS.long,
      100,
    );
    await core.deleteNamespacedPod({ namespace: NS, name: pod.metadata!.name! });
    const s = await finished('lost-pack', 'Succeeded');
    assert.deepEqual({ ...s.status!.trials }, { succeeded: 2, failed: 0, running: 0, completed: 2, infraRetries: 2, maxTrials: 2 });
    const records = await packRecords('lost-pack');
    const lost = records.find((p) => p.pack === pod.metadata!.labels!['batch.kubernetes.io/job-name']);
    assert.ok(lost, records.map((p) => p.pack).join(' '));
    assert.deepEqual(
      lost.exited.map((e) => e.exitCode),
      [75, 75],
      'the agent stopped both trainers, which checkpointed and exited 75',
    );
    assert.ok(records.length >= 2, 'the retries ran in another pack');
    const trials = join(dir, 'store', 'searches', NS, 'lost-pack', s.metadata.uid!, 'trials', NS, 'lost-pack', s.metadata.uid!, '0');
    for (const i of ['0', '1']) {
      const result = JSON.parse(readFileSync(join(trials, i, 'result.json'), 'utf8')) as { resumedFrom: unknown };
      assert.ok(result.resumedFrom, `trial ${i}'s retry resumed from its checkpoint`);
    }
  });

  void it('re-attaches to packed trials after a worker restart; no attempt starts twice', async () => {
    await create(trained('restart', LONGER).budget({ maxTrials: 2, parallelism: 2, maxFailedTrials: 0 }).obj());
    await eventually(
      async () => {
        const [first] = await packRecords('restart');
        assert.equal(first?.started.length, 2);
      },
      TIMEOUTS.long,
      100,
    );
    await stopWorker();
    stopWorker = await startWorker();
    const s = await finished('restart', 'Succeeded');
    assert.deepEqual({ ...s.status!.trials }, { succeeded: 2, failed: 0, running: 0, completed: 2, infraRetries: 0, maxTrials: 2 });
    const records = await packRecords('restart');
    assert.equal(records.length, 1, 'one pack ran both trials');
    assert.equal(at(records, 0).started.length, 2, 'each attempt started once');
    assert.deepEqual(
      at(records, 0).exited.map((e) => e.exitCode),
      [0, 0],
    );
  });
});
