/**
 * awaitTrial over the Kubernetes launcher on a real apiserver: when the SDK cancels the activity
 * because the worker shuts down (SIGTERM on a rollout or drain) or its heartbeat timed out, the
 * trial's Job stays and the activity fails retryably so the next worker re-attaches; only a cancel
 * the workflow requested deletes the Job.
 *
 * The trial pods are pinned to a node label no node has, so they stay Pending (kwok would otherwise
 * complete them at once) and the trial reads as running for as long as the test needs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, CustomObjectsApi } from '@kubernetes/client-node';
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSearchActivities } from '../../../activities/search.activities.js';
import type { KubeEndpoints } from '../../../src/dev/kube.js';
import { KubeAdapter } from '../../../src/kube/adapter.js';
import { CRD_PATHS } from '../../../src/kube/crd-yaml.js';
import { KubeLauncher } from '../../../src/kube/kube-launcher.js';
import { jobNameFor } from '../../../src/kube/trial-job.js';
import { GROUP, PLURAL, VERSION, resourceSearchId } from '../../../src/api/resource-spec.js';
import { LocalStore } from '../../../src/store/local-store.js';
import { startKube, type Handle } from '../../helpers/infra.js';
import { makeSearch } from '../../helpers/search-builder.js';
import { eventually, TIMEOUTS } from '../../helpers/wait.js';
import { makeResource } from './resource-builder.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const NS = 'default';

void describe('awaitTrial on the Kubernetes launcher: worker shutdown is not trial cancellation', () => {
  let kube: Handle<KubeEndpoints>;
  let adapter: KubeAdapter;
  let custom: CustomObjectsApi;
  let storeRoot: string;
  let activities: ReturnType<typeof createSearchActivities>;

  /** Creates a resource whose trial pods never get a node, launches its trial, and returns the awaitTrial input. */
  async function launchedTrial(name: string) {
    const body = makeResource(name, NS)
      .set('template', { nodeSelector: { 'nasflow.io/test': 'nowhere' } })
      .obj();
    const created = (await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body })) as {
      metadata: { uid: string };
    };
    const searchId = resourceSearchId(NS, name, created.metadata.uid);
    const ref = { searchId, spec: makeSearch(name, storeRoot).obj(), trialId: `${searchId}/0/0`, attempt: 1 };
    await new MockActivityEnvironment().run(activities.launchTrial, ref);
    const jobName = jobNameFor(name, ref.trialId, 1);
    assert.ok(await adapter.readJob(NS, jobName), 'the Job exists');
    return { ref, jobName };
  }

  /** Runs awaitTrial until it heartbeats (it is polling a running trial), then cancels it as given. */
  async function cancelAwait(
    ref: Awaited<ReturnType<typeof launchedTrial>>['ref'],
    reason: 'WORKER_SHUTDOWN' | 'TIMED_OUT' | 'CANCELLED',
    details: ActivityCancellationDetails,
  ): Promise<unknown> {
    const env = new MockActivityEnvironment();
    const heartbeat = new Promise((resolve) => env.once('heartbeat', resolve));
    const run = env.run(activities.awaitTrial, ref).then(
      () => undefined,
      (err: unknown) => err,
    );
    await heartbeat;
    env.cancel(reason, details);
    return run;
  }

  before(async () => {
    kube = await startKube({ gpuNodes: 1, gpusPerNode: 4 });
    const r = spawnSync('kubectl', ['--kubeconfig', kube.kubeconfig, 'apply', '--server-side', '-f', join(ROOT, CRD_PATHS[0])], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    adapter = new KubeAdapter(kc);
    custom = kc.makeApiClient(CustomObjectsApi);
    await eventually(() => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL }), TIMEOUTS.medium);
    storeRoot = mkdtempSync(join(tmpdir(), 'nasflow-kube-await-'));
    const store = new LocalStore(storeRoot);
    const launcher = new KubeLauncher({ api: adapter, defaults: { image: 'nasflow/trainer:test' } });
    activities = createSearchActivities({
      openStorage: () => ({ store, uriOf: (key) => `file://${join(storeRoot, key)}` }),
      launcherFor: () => launcher,
      pollIntervalMs: 100,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
  });

  after(async () => {
    await kube?.stop();
    if (storeRoot) rmSync(storeRoot, { recursive: true, force: true });
  });

  const interruptions: [string, 'WORKER_SHUTDOWN' | 'TIMED_OUT', ActivityCancellationDetails][] = [
    ['worker shutdown (core reports it)', 'WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true })],
    ['worker shutdown (the SDK cancels before core, without flags)', 'WORKER_SHUTDOWN', new ActivityCancellationDetails()],
    ['a heartbeat timeout', 'TIMED_OUT', new ActivityCancellationDetails({ timedOut: true })],
  ];
  for (const [i, [title, reason, details]] of interruptions.entries()) {
    void it(`${title}: the Job stays and awaitTrial fails retryably`, async () => {
      const { ref, jobName } = await launchedTrial(`shutdown-${i}`);
      const err = await cancelAwait(ref, reason, details);
      assert.ok(err instanceof ApplicationFailure, `a retryable failure, not a cancellation: ${String(err)}`);
      assert.equal(err.type, 'TrialWaitInterrupted');
      assert.equal(err.nonRetryable, false);
      const job = await adapter.readJob(NS, jobName);
      assert.ok(job && !job.metadata?.deletionTimestamp, 'the trial Job is still there, not being deleted');
      // The next worker's awaitTrial re-attaches: the trial still reads as running.
      const again = new MockActivityEnvironment();
      const heartbeat = new Promise((resolve) => again.once('heartbeat', resolve));
      const run = again.run(activities.awaitTrial, ref).catch((e: unknown) => e);
      await heartbeat;
      again.cancel('CANCELLED', new ActivityCancellationDetails({ cancelRequested: true }));
      assert.ok((await run) instanceof CancelledFailure);
    });
  }

  void it('a cancel the workflow requested deletes the Job and reports the cancellation', async () => {
    const { ref, jobName } = await launchedTrial('cancelled');
    const err = await cancelAwait(ref, 'CANCELLED', new ActivityCancellationDetails({ cancelRequested: true }));
    assert.ok(err instanceof CancelledFailure, String(err));
    await eventually(async () => {
      const job = await adapter.readJob(NS, jobName);
      assert.ok(!job || job.metadata?.deletionTimestamp, 'the Job is deleted');
    }, TIMEOUTS.medium);
  });
});
