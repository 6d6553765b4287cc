/**
 * The operator end to end on real parts: kube-apiserver (+ controllers, kwok), a Temporal dev
 * server, a search worker and two operator replicas in this process. Searches use the benchmark
 * evaluator, so they finish in seconds without training.
 *
 * Covered: a resource runs to Succeeded with counts, best trial and workflow link; spec edits
 * (parallelism, suspend) reach the running workflow; only one replica leads, and when it stops
 * the standby takes over with no second workflow; deleting the resource cancels its workflow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { KubeAdapter } from '../../src/kube/adapter.js';
import { KubeLauncher } from '../../src/kube/kube-launcher.js';
import { Operator } from '../../src/operator/operator.js';
import { TemporalSearchControl } from '../../src/operator/search-control.js';
import { createSearchWorker } from '../../src/worker/worker.js';
import { searchHandle } from '../../src/client/search-client.js';
import { workflowIdFor } from '../../src/common/ids.js';
import { GROUP, PLURAL, VERSION, resourceSearchId, type NeuralArchitectureSearch } from '../../src/api/resource-spec.js';
import { makeResource } from '../integration/kube/resource-builder.js';
import { REPO_ROOT, startClusterWithCrd } from './cluster.js';

const NS = 'default';
const TASK_QUEUE = 'nasflow-e2e';
const UI = 'http://temporal-ui.test:8233';

void describe('operator: NeuralArchitectureSearch → workflow → status', () => {
  let kube: Handle<KubeEndpoints>;
  let temporal: Handle<TemporalEndpoints>;
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let workerRun: Promise<void>;
  let closeWorker: () => Promise<void>;
  let custom: CustomObjectsApi;
  let store: string;
  const operators: Operator[] = [];
  const logs: string[] = [];

  const get = async (name: string) =>
    (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name })) as NeuralArchitectureSearch & {
      metadata: { generation: number };
    };
  const patchSpec = (name: string, spec: Record<string, unknown>) =>
    custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name, body: { spec } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  const create = async (body: object) =>
    (await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body })) as NeuralArchitectureSearch;
  const runsOf = async (workflowId: string) => {
    let n = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n++;
    return n;
  };

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    ({ kube, temporal } = await startClusterWithCrd());
    store = mkdtempSync(join(tmpdir(), 'nasflow-e2e-store-'));
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    const trainLauncher = new KubeLauncher({ api: new KubeAdapter(kc), defaults: { image: 'nasflow/trainer:e2e' } });
    const made = await createSearchWorker({
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: TASK_QUEUE,
      env: process.env,
      workDir: join(store, 'launcher'),
      pollIntervalMs: 100,
      trainLauncher,
    });
    worker = made.worker;
    workerRun = worker.run();
    closeWorker = () => made.connection.close();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    custom = kc.makeApiClient(CustomObjectsApi);
    await eventually(() => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL }), TIMEOUTS.medium);
    for (const identity of ['operator-a', 'operator-b']) {
      const op = new Operator({
        kube: new KubeAdapter(kc),
        temporal: new TemporalSearchControl(client, TASK_QUEUE),
        temporalNamespace: temporal.namespace,
        leaseNamespace: NS,
        identity,
        uiUrl: UI,
        resyncMs: 400,
        leaseSeconds: 3,
        leaseRetryMs: 300,
        now: () => new Date(),
        log: (m) => logs.push(`${identity}: ${m}`),
      });
      op.start();
      operators.push(op);
    }
    await eventually(async () => assert.equal(operators.filter((o) => o.elector.isLeader).length, 1), TIMEOUTS.short);
  });

  after(async () => {
    for (const op of operators) await op.stop().catch(() => undefined);
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch(() => undefined);
    await closeWorker?.().catch(() => undefined);
    await connection?.close();
    await Promise.all([kube?.stop(), temporal?.stop()]);
    if (store) rmSync(store, { recursive: true, force: true });
    if (process.env.NASFLOW_TEST_VERBOSE) console.error(logs.join('\n'));
  });

  void it('runs a benchmark search to Succeeded with counts, the best trial and the workflow link', async () => {
    const created = await create(makeResource('quick', NS).budget({ maxTrials: 12, parallelism: 3 }).set('storage', join(store, 'quick')).obj());
    const s = await eventually(async () => {
      const got = await get('quick');
      assert.equal(got.status?.phase, 'Succeeded', JSON.stringify(got.status));
      return got;
    }, TIMEOUTS.long);
    const st = s.status!;
    const workflowId = workflowIdFor(resourceSearchId(NS, 'quick', created.metadata.uid));
    assert.equal(st.workflowId, workflowId);
    assert.equal(st.workflowUrl, `${UI}/namespaces/${temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`);
    assert.deepEqual({ ...st.trials }, { succeeded: 12, failed: 0, running: 0, completed: 12, infraRetries: 0, maxTrials: 12 });
    assert.equal(st.algorithm, 'random');
    assert.match(st.best!.accuracy, /^\d{1,3}\.\d{2}$/);
    assert.ok(st.best!.trialId.startsWith(resourceSearchId(NS, 'quick', created.metadata.uid)));
    const finished = st.conditions!.find((c) => c.type === 'Finished')!;
    assert.equal(finished.status, 'True');
    assert.equal(finished.reason, 'Succeeded');
    assert.equal(finished.observedGeneration, s.metadata.generation);
    assert.ok(st.completionTime);
    assert.equal(JSON.stringify(st).includes('"recent"'), false, 'no per-trial list in status');
    assert.equal(await runsOf(workflowId), 1);
    const table = spawnSync('kubectl', ['--kubeconfig', kube.kubeconfig, 'get', 'nas', 'quick'], { encoding: 'utf8' }).stdout;
    assert.match(table, /quick\s+random\s+Succeeded\s+12\s+12\s+\d+\.\d{2}/);
  });

  void it('runs k8s/examples/nb201-evolution.yaml (storage pointed at a local folder) to Succeeded', async () => {
    const text = readFileSync(join(REPO_ROOT, 'k8s', 'examples', 'nb201-evolution.yaml'), 'utf8').replace('s3://nasflow/searches', join(store, 'example'));
    const r = spawnSync('kubectl', ['--kubeconfig', kube.kubeconfig, 'apply', '-f', '-'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const started = Date.now();
    const s = await eventually(async () => {
      const got = await get('nb201-evolution');
      assert.equal(got.status?.phase, 'Succeeded', JSON.stringify(got.status?.trials));
      return got;
    }, TIMEOUTS.long);
    console.error(`nb201-evolution example (100 trials, parallelism 10): Succeeded after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(s.status!.algorithm, 'regularized-evolution');
    assert.equal(s.status!.trials!.completed, 100);
    assert.ok(Number(s.status!.best!.accuracy) > 80, `best ${s.status!.best!.accuracy}`);
  });

  void it('maps spec edits to the running workflow: parallelism, then suspend', async () => {
    await create(
      makeResource('slow', NS)
        .budget({ maxTrials: 500, parallelism: 1 })
        .set('storage', join(store, 'slow'))
        .set('evaluator', { type: 'benchmark', benchmark: 'nb201-cifar10', secondsPerSimulatedHour: 30 })
        .obj(),
    );
    await eventually(async () => assert.equal((await get('slow')).status?.phase, 'Running'), TIMEOUTS.medium);
    const { uid } = (await get('slow')).metadata;
    const searchId = resourceSearchId(NS, 'slow', uid);
    await patchSpec('slow', { budget: { parallelism: 4 } });
    await eventually(async () => {
      const p = await new TemporalSearchControl(client, TASK_QUEUE).progress(searchId);
      assert.equal(p.parallelism, 4);
      assert.ok(p.counts.running > 1, `running ${p.counts.running}`);
    }, TIMEOUTS.medium);
    await patchSpec('slow', { suspend: true });
    const s = await eventually(async () => {
      const got = await get('slow');
      assert.equal(got.status?.phase, 'Suspended');
      return got;
    }, TIMEOUTS.medium);
    const running = s.status!.conditions!.find((c) => c.type === 'Running')!;
    assert.equal(running.status, 'False');
    assert.equal(running.observedGeneration, s.metadata.generation);
  });

  void it('a standby replica takes over when the leader stops, with no second workflow', async () => {
    const leader = operators.find((o) => o.elector.isLeader)!;
    const standby = operators.find((o) => o !== leader)!;
    assert.equal(standby.elector.isLeader, false);
    const before = standby.reconciles;
    assert.equal(before, 0, 'the standby reconciled nothing while it was not leading');
    await leader.stop();
    await eventually(async () => assert.equal(standby.elector.isLeader, true), TIMEOUTS.medium);
    await patchSpec('slow', { suspend: false });
    await eventually(async () => assert.equal((await get('slow')).status?.phase, 'Running'), TIMEOUTS.medium);
    assert.ok(standby.reconciles > 0);
    const uid = (await get('slow')).metadata.uid;
    assert.equal(await runsOf(workflowIdFor(resourceSearchId(NS, 'slow', uid))), 1);
    assert.equal(await runsOf(workflowIdFor(resourceSearchId(NS, 'quick', (await get('quick')).metadata.uid))), 1);
  });

  void it('deleting the resource cancels its workflow, then the finalizer lets it go', async () => {
    const uid = (await get('slow')).metadata.uid;
    const searchId = resourceSearchId(NS, 'slow', uid);
    await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'slow' });
    await eventually(async () => {
      await assert.rejects(get('slow'), (err: { code?: number }) => err.code === 404);
    }, TIMEOUTS.medium);
    const result = await searchHandle(client, searchId).result();
    assert.equal(result.phase, 'Cancelled');
    assert.equal(result.progress.counts.running, 0);
  });

  void it('editing spec.budget.parallelism changes the number of concurrent trial Jobs; deleting the resource removes them', async () => {
    // Trained trials whose pods can never be scheduled: each Job stays in flight, so the number of
    // Jobs is exactly the number of trials the workflow runs at once.
    const body = makeResource('jobs', NS)
      .set('space', 'nasnet')
      .set('evaluator', { type: 'train' })
      .set('dataset', 'file:///unused')
      .set('storage', join(store, 'jobs'))
      .set('template', { nodeSelector: { 'nasflow.io/test': 'nowhere' }, resources: { limits: { 'nvidia.com/gpu': 1 } } })
      .budget({ maxTrials: 50, parallelism: 2 })
      .obj();
    await create(body);
    const adapter = new KubeAdapter(
      (() => {
        const kc = new KubeConfig();
        kc.loadFromFile(kube.kubeconfig);
        return kc;
      })(),
    );
    const jobCount = async () => (await adapter.listJobs(NS, 'nasflow.io/search=jobs')).length;
    await eventually(async () => assert.equal(await jobCount(), 2), TIMEOUTS.medium);
    await patchSpec('jobs', { budget: { parallelism: 5 } });
    await eventually(async () => assert.equal(await jobCount(), 5), TIMEOUTS.medium);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await jobCount(), 5, 'never more Jobs than parallelism');
    await eventually(async () => assert.equal((await get('jobs')).status?.trials?.running, 5), TIMEOUTS.medium);
    await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'jobs' });
    await eventually(async () => {
      await assert.rejects(get('jobs'), (err: { code?: number }) => err.code === 404);
      assert.equal((await adapter.listJobs(NS, 'nasflow.io/search=jobs')).filter((j) => !j.metadata?.deletionTimestamp).length, 0);
    }, TIMEOUTS.medium);
  });
});
