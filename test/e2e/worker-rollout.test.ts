/**
 * A worker rollout in the middle of a search on Kubernetes (issue 12): while trial Jobs run, the
 * `nasflow worker --launcher kubernetes` process gets SIGTERM (what a Deployment rollout, a drain
 * or `helm upgrade` sends) and a new worker starts. No trial Job may be deleted or re-created —
 * a watch records every deletion and every uid — the new worker re-attaches to the running Jobs,
 * nothing is counted twice, and the search Succeeds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch, type V1Job } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { settlesWithin } from '../helpers/soak-processes.js';
import { KubeAdapter } from '../../src/kube/adapter.js';
import type { Operator } from '../../src/operator/operator.js';
import { startInProcessOperator } from './in-process-operator.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { GROUP, PLURAL, VERSION, type NeuralArchitectureSearch } from '../../src/api/resource-spec.js';
import { makeResource } from '../integration/kube/resource-builder.js';
import { EXECUTOR_LABEL, PodExecutor } from './pod-executor.js';
import { startClusterWithCrd } from './cluster.js';

const NS = 'default';
const TASK_QUEUE = 'nasflow-e2e-rollout';
const GPU_NODES = ['rollout-gpu-0', 'rollout-gpu-1'];

/** Every Job of one search seen by a watch: uids by name, and each deletion. */
class JobLedger {
  readonly uids = new Map<string, Set<string>>();
  readonly deletions: string[] = [];
  private abort: AbortController | undefined;

  async start(kc: KubeConfig, search: string): Promise<void> {
    this.abort = await new Watch(kc).watch(
      `/apis/batch/v1/namespaces/${NS}/jobs`,
      { labelSelector: `nasflow.io/search=${search}` },
      (type: string, job: V1Job) => this.see(type, job),
      () => undefined,
    );
  }

  see(type: string, job: V1Job): void {
    const name = job.metadata?.name ?? '?';
    const uids = this.uids.get(name) ?? new Set<string>();
    uids.add(job.metadata?.uid ?? '?');
    this.uids.set(name, uids);
    if (type === 'DELETED') this.deletions.push(`${name} deleted`);
    else if (job.metadata?.deletionTimestamp && !this.deletions.includes(`${name} marked for deletion`)) this.deletions.push(`${name} marked for deletion`);
  }

  stop(): void {
    this.abort?.abort();
  }
}

void describe('worker rollout mid-search on Kubernetes', () => {
  let kube: Handle<KubeEndpoints>;
  let temporal: Handle<TemporalEndpoints>;
  let connection: Connection;
  let custom: CustomObjectsApi;
  let kc: KubeConfig;
  let adapter: KubeAdapter;
  let executor: PodExecutor;
  let operator: Operator;
  let dir: string;
  const workers: ChildProcess[] = [];

  /** `nasflow worker --launcher kubernetes` as its own process; pods run the CLI under this Node. */
  const startWorker = (label: string): ChildProcess => {
    const log = createWriteStream(join(dir, `${label}.log`));
    const env = {
      ...process.env,
      KUBECONFIG: kube.kubeconfig,
      NASFLOW_TRIAL_IMAGE: 'nasflow/trainer:e2e',
      NASFLOW_TRIAL_COMMAND: `${process.execPath} ${CLI_ENTRY}`,
      NASFLOW_TRIAL_NAMESPACE: NS,
      NASFLOW_TRIAL_REQUIRE_GPU: 'false',
    };
    const child = spawn(
      process.execPath,
      [CLI_ENTRY, 'worker', '--address', temporal.address, '--task-queue', TASK_QUEUE, '--launcher', 'kubernetes', '--work-dir', join(dir, label)],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    workers.push(child);
    return child;
  };

  const get = async (name: string) =>
    (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name })) as NeuralArchitectureSearch;

  before(async () => {
    ({ kube, temporal } = await startClusterWithCrd());
    dir = mkdtempSync(join(tmpdir(), 'nasflow-e2e-rollout-'));
    const synth = spawnSync(process.execPath, [CLI_ENTRY, 'dataset', 'synth', '--out', join(dir, 'synth'), '--train', '96', '--test', '32'], {
      encoding: 'utf8',
    });
    assert.equal(synth.status, 0, synth.stderr);
    kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    adapter = new KubeAdapter(kc);
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: 's3-creds' }, stringData: { AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e-secret' } },
    });
    executor = new PodExecutor(kc, GPU_NODES, 1);
    await executor.start();
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: temporal.namespace });
    operator = await startInProcessOperator({
      adapter,
      custom,
      client,
      taskQueue: TASK_QUEUE,
      temporalNamespace: temporal.namespace,
      namespace: NS,
      identity: 'e2e-rollout',
    });
  });

  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await operator?.stop().catch(() => undefined);
    await connection?.close();
    await executor?.stop();
    await Promise.all([kube?.stop(), temporal?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  void it('SIGTERM to the worker while trial Jobs run deletes no Job; a new worker re-attaches and the search Succeeds with nothing counted twice', async () => {
    const t0 = Date.now();
    const at = (what: string): void => console.error(`rollout: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const first = startWorker('worker-1');
    const ledger = new JobLedger();
    await ledger.start(kc, 'rollout');
    try {
      // Two small trained trials, both running at the SIGTERM (a checkpoint per step keeps them busy).
      const body = makeResource('rollout', NS)
        .set('space', 'nasnet')
        .set('evaluator', { type: 'train' })
        .set('dataset', `file://${join(dir, 'synth')}`)
        .set('storage', join(dir, 'store'))
        .set('macro', { cellsPerStage: 1, filters: 4, classes: 10 })
        .set('trial', { epochs: 2, batchSize: 8, imageSize: 8, maxTrainSamples: 48, valFraction: 0.25, checkpointEverySteps: 1 })
        .set('template', { nodeSelector: { [EXECUTOR_LABEL]: 'true' }, resources: { limits: { 'nvidia.com/gpu': 1 } } })
        .set('storageSecretRef', { name: 's3-creds' })
        .budget({ maxTrials: 2, parallelism: 2, maxFailedTrials: 0 })
        .obj();
      await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body });

      // Two trial pods running: the rollout starts now.
      const running = await eventually(
        async () => {
          const jobs = await adapter.listJobs(NS, 'nasflow.io/search=rollout');
          const pods = (await Promise.all(jobs.map((j) => adapter.listJobPods(NS, j.metadata!.name!)))).flat();
          assert.equal(
            pods.filter((p) => p.status?.phase === 'Running').length,
            2,
            `pods: ${pods.map((p) => `${p.metadata?.name}=${p.status?.phase}`).join(' ')}`,
          );
          return jobs;
        },
        TIMEOUTS.long,
        100,
      );
      at('two trial pods running; SIGTERM to the worker');
      first.kill('SIGTERM');
      assert.ok(await settlesWithin(new Promise((resolve) => first.once('exit', resolve)), TIMEOUTS.medium), 'the worker exits on SIGTERM');
      at('the worker exited');

      // The old worker is gone: every Job it was awaiting is still there, not being deleted.
      const after = await adapter.listJobs(NS, 'nasflow.io/search=rollout');
      for (const j of running) {
        const now = after.find((a) => a.metadata?.name === j.metadata?.name);
        assert.ok(now, `Job ${j.metadata?.name} still exists after the worker's SIGTERM`);
        assert.equal(now.metadata?.uid, j.metadata?.uid, `Job ${j.metadata?.name} is the same Job`);
        assert.equal(now.metadata?.deletionTimestamp, undefined, `Job ${j.metadata?.name} is not being deleted`);
      }
      const stillRunning = (await Promise.all(running.map((j) => adapter.listJobPods(NS, j.metadata!.name!))))
        .flat()
        .filter((p) => p.status?.phase === 'Running');
      at(`${stillRunning.length} of 2 trial pods still running`);
      assert.ok(stillRunning.length >= 1, 'a trial pod outlived the worker (else the rollout came too late to test anything)');
      startWorker('worker-2');
      await eventually(async () => assert.ok(executor.exits.size >= 2, 'the two trials running at the SIGTERM ended'), TIMEOUTS.long);
      at('the two trials running at the SIGTERM ended');

      const done = await eventually(async () => {
        const s = await get('rollout');
        assert.equal(s.status?.phase, 'Succeeded', JSON.stringify(s.status));
        return s;
      }, TIMEOUTS.long);
      at('Succeeded');
      assert.deepEqual({ ...done.status!.trials }, { succeeded: 2, failed: 0, running: 0, completed: 2, infraRetries: 0, maxTrials: 2 });
      const jobs = await adapter.listJobs(NS, 'nasflow.io/search=rollout');
      assert.equal(jobs.length, 2, 'one Job per trial');
      assert.deepEqual(ledger.deletions, [], 'no trial Job was deleted');
      for (const [name, uids] of ledger.uids) assert.equal(uids.size, 1, `Job ${name} was created once (uids ${[...uids].join(', ')})`);
      for (const j of running) {
        const pods = await adapter.listJobPods(NS, j.metadata!.name!);
        assert.equal(pods.length, 1, `Job ${j.metadata?.name} ran one pod`);
        const pod = pods[0]!;
        assert.equal(executor.exits.get(pod.metadata!.name!), 0, `the pod running at the SIGTERM finished its training (${pod.metadata?.name})`);
      }
    } finally {
      ledger.stop();
    }
  });
});
