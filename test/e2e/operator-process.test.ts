/**
 * `nasflow operator` as a real process (the Deployment's command): it runs a search from the
 * resource; killed with SIGKILL mid-search (no Lease release, no cleanup), a fresh operator
 * process takes over after the Lease expires, resumes status updates, and starts no second
 * workflow. One kube-apiserver, one Temporal dev server, an in-process search worker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { CustomObjectsApi, EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { createSearchWorker } from '../../src/worker/worker.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { workflowIdFor } from '../../src/common/ids.js';
import { GROUP, PLURAL, VERSION, resourceSearchId, type NeuralArchitectureSearch } from '../../src/api/resource-spec.js';
import { makeResource } from '../integration/kube/resource-builder.js';
import { startClusterWithCrd } from './cluster.js';

const NS = 'default';
const TASK_QUEUE = 'nasflow-e2e-process';

void describe('nasflow operator process: SIGKILL mid-search, a new process resumes', () => {
  let kube: Handle<KubeEndpoints>;
  let temporal: Handle<TemporalEndpoints>;
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let workerRun: Promise<void>;
  let closeWorker: () => Promise<void>;
  let custom: CustomObjectsApi;
  let kc: KubeConfig;
  let dir: string;
  const procs: { child: ChildProcess; log: string[] }[] = [];

  const operatorProcess = (identity: string) => {
    const child = spawn(
      process.execPath,
      [
        CLI_ENTRY,
        'operator',
        '--address',
        temporal.address,
        '--namespace',
        temporal.namespace,
        '--task-queue',
        TASK_QUEUE,
        '--identity',
        identity,
        '--lease-namespace',
        NS,
        '--resync-ms',
        '300',
        '--lease-seconds',
        '3',
        '--ui-url',
        'http://ui.test',
        '--metrics-address',
        '127.0.0.1:0',
      ],
      {
        env: { ...process.env, KUBECONFIG: kube.kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const entry = { child, log: [] as string[] };
    child.stderr!.on('data', (b: Buffer) => entry.log.push(b.toString()));
    procs.push(entry);
    return entry;
  };
  const get = async () =>
    (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'long' })) as NeuralArchitectureSearch;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    ({ kube, temporal } = await startClusterWithCrd());
    dir = mkdtempSync(join(tmpdir(), 'nasflow-e2e-process-'));
    const made = await createSearchWorker({
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: TASK_QUEUE,
      env: process.env,
      workDir: join(dir, 'launcher'),
      pollIntervalMs: 100,
    });
    worker = made.worker;
    workerRun = worker.run();
    closeWorker = () => made.connection.close();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch(() => undefined);
    await closeWorker?.().catch(() => undefined);
    await connection?.close();
    await Promise.all([kube?.stop(), temporal?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  void it('resumes status updates after the operator is killed, with exactly one workflow', async () => {
    const first = operatorProcess('op-1');
    const body = makeResource('long', NS)
      .set('storage', join(dir, 'store'))
      .budget({ maxTrials: 40, parallelism: 2 })
      .set('evaluator', { type: 'benchmark', benchmark: 'nb201-cifar10', secondsPerSimulatedHour: 8 })
      .obj();
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body });
    const before = await eventually(async () => {
      const s = await get();
      assert.equal(s.status?.phase, 'Running');
      assert.ok((s.status?.trials?.completed ?? 0) >= 2, `completed ${s.status?.trials?.completed}`);
      return s.status!.trials!.completed;
    }, TIMEOUTS.long);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const killedAt = Date.now();
    const second = operatorProcess('op-2');
    await eventually(async () => {
      const s = await get();
      assert.ok((s.status?.trials?.completed ?? 0) > before + 2, `completed ${s.status?.trials?.completed} after ${before}`);
    }, TIMEOUTS.long);
    console.error(`status updates resumed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after SIGKILL (Lease 3 s)`);
    const done = await eventually(async () => {
      const s = await get();
      assert.equal(s.status?.phase, 'Succeeded');
      return s;
    }, TIMEOUTS.long);
    assert.equal(done.status!.trials!.completed, 40);
    const workflowId = workflowIdFor(resourceSearchId(NS, 'long', done.metadata.uid));
    let runs = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
    assert.equal(runs, 1, 'one workflow execution');
    const log2 = second.log.join('');
    assert.match(log2, /op-2 is now the leader/);
    assert.doesNotMatch(log2, /started workflow/, 'the second operator started nothing');
    assert.match(first.log.join(''), /started workflow nas\/default\/long\//);
    // Issue 16: the leader's /metrics and the Events it recorded on the resource.
    const base = /metrics on (http:\/\/127\.0\.0\.1:\d+)/.exec(log2)?.[1];
    assert.ok(base, log2);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^nasflow_operator_leader 1$/m);
    assert.match(metrics, /^nasflow_searches\{phase="Succeeded"\} 1$/m);
    assert.ok(Number(/^nasflow_operator_reconciles_total\{result="ok"\} (\d+)$/m.exec(metrics)?.[1] ?? 0) > 0, metrics);
    const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: NS, fieldSelector: 'regarding.name=long' });
    const reasons = events.items.map((e) => e.reason);
    assert.ok(reasons.includes('SearchSucceeded'), `events: ${reasons.join(', ')}`);
    assert.ok(events.items.every((e) => e.reportingController === 'nasflow.io/operator' && e.regarding?.uid === done.metadata.uid));
  });
});
