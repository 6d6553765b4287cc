/**
 * The Kubernetes launcher against a real kube-apiserver, controller manager (Job controller, pod
 * GC) and scheduler, with kwok GPU nodes: launching twice makes one Job, kwok completes it and
 * poll reports exit 0; an evicted pod is replaced inside the Job without failing it; trainer exit
 * codes 2 and 1 fail the Job as user and infrastructure failures; cancel deletes the Job.
 *
 * kwok completes Job pods the moment they run, so the failure cases pin their pods to a node
 * label no node has: the pod stays Pending, and the test plays the kubelet by writing its status.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { startKube, type Handle } from '../../helpers/infra.js';
import type { KubeEndpoints } from '../../../src/dev/kube.js';
import { eventually, TIMEOUTS } from '../../helpers/wait.js';
import { CRD_PATHS } from '../../../src/kube/crd-yaml.js';
import { KubeAdapter } from '../../../src/kube/adapter.js';
import { KubeLauncher } from '../../../src/kube/kube-launcher.js';
import { jobNameFor } from '../../../src/kube/trial-job.js';
import { classifyExit } from '../../../src/api/exit-codes.js';
import type { TrialRef } from '../../../src/launch/launcher.js';
import { GROUP, PLURAL, VERSION, resourceSearchId } from '../../../src/api/resource-spec.js';
import { makeSearch } from '../../helpers/search-builder.js';
import { parseSearchSpec } from '../../../src/api/search-spec.js';
import { LatencyStepLauncher } from '../../../src/launch/latency-step-launcher.js';
import { makeResource } from './resource-builder.js';
import { at } from '../../../src/common/indexing.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const NS = 'default';

void describe('KubeLauncher on a real apiserver with kwok GPU nodes', () => {
  let kube: Handle<KubeEndpoints>;
  let adapter: KubeAdapter;
  let launcher: KubeLauncher;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  /** Creates a resource and returns a trial of it. */
  async function trialOf(name: string, template: Record<string, unknown>, index = 0): Promise<TrialRef> {
    const body = makeResource(name, NS).set('template', template).set('storageSecretRef', { name: 's3-creds' }).obj();
    const created = (await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body })) as {
      metadata: { uid: string };
    };
    const searchId = resourceSearchId(NS, name, created.metadata.uid);
    const trialId = `${searchId}/0/${index}`;
    return { searchId, spec: makeSearch(name, '/unused').obj(), trialId, attempt: 1, specUri: `s3://nasflow/searches/${trialId}/spec.json` };
  }

  async function podOf(trial: TrialRef, exceptUid?: string): Promise<V1Pod> {
    return eventually(async () => {
      const pods = await adapter.listJobPods(NS, jobNameFor(trial.spec.name, trial.trialId, trial.attempt));
      const pod = pods.find((p) => p.metadata!.uid !== exceptUid && !p.metadata!.deletionTimestamp);
      assert.ok(pod, 'a (new) pod for the Job');
      return pod;
    }, TIMEOUTS.medium);
  }

  /** Plays the kubelet for a pod no node runs: the trainer "exits" with `exitCode`. */
  async function exitPod(pod: V1Pod, exitCode: number, message: string): Promise<void> {
    const now = new Date().toISOString();
    await core.patchNamespacedPodStatus(
      {
        namespace: NS,
        name: pod.metadata!.name!,
        body: {
          status: {
            phase: 'Failed',
            containerStatuses: [
              {
                name: 'trainer',
                image: 'x',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode, reason: 'Error', message, startedAt: now, finishedAt: now } },
              },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  before(async () => {
    kube = await startKube({ gpuNodes: 2, gpusPerNode: 4 });
    const r = spawnSync('kubectl', ['--kubeconfig', kube.kubeconfig, 'apply', '--server-side', '-f', join(ROOT, CRD_PATHS[0])], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    adapter = new KubeAdapter(kc);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    launcher = new KubeLauncher({ api: adapter, defaults: { image: 'nasflow/trainer:test', s3Endpoint: 'http://s3.example:9000' } });
    await eventually(() => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL }), TIMEOUTS.medium);
  });

  after(async () => {
    await kube?.stop();
  });

  void it('launches one GPU Job however often launch is called, owned by the resource; kwok completes it: exit 0', async () => {
    const trial = await trialOf('gpu-search', { resources: { limits: { 'nvidia.com/gpu': 1 } } });
    await Promise.all([launcher.launch(trial), launcher.launch(trial)]);
    await launcher.launch(trial);
    const jobs = await adapter.listJobs(NS, 'nasflow.io/search=gpu-search');
    assert.equal(jobs.length, 1);
    const job = at(jobs, 0);
    assert.equal(at(job.metadata!.ownerReferences!, 0, 'owner reference').uid, trial.searchId.split('/')[2]);
    const env = Object.fromEntries(at(job.spec!.template.spec!.containers, 0, 'container').env!.map((e) => [e.name, e]));
    assert.deepEqual(JSON.parse(JSON.stringify(env.AWS_ACCESS_KEY_ID?.valueFrom)), { secretKeyRef: { name: 's3-creds', key: 'AWS_ACCESS_KEY_ID' } });
    const pod = await podOf(trial);
    await eventually(
      async () => assert.match((await core.readNamespacedPod({ namespace: NS, name: pod.metadata!.name! })).spec!.nodeName ?? '', /^gpu-node-\d$/),
      TIMEOUTS.medium,
    );
    const state = await eventually(async () => {
      const s = await launcher.poll(trial);
      assert.equal(s.state, 'exited');
      return s;
    }, TIMEOUTS.long);
    assert.deepEqual(state, { state: 'exited', exitCode: 0 });
  });

  void it('runs the latency step as a second Job on the latency pool, only after the training Job has succeeded', async () => {
    const name = 'latency-pool';
    const body = makeResource(name, NS)
      .set('space', 'nasnet')
      .set('evaluator', { type: 'train' })
      .set('dataset', 's3://nasflow/data')
      .set('template', { resources: { limits: { 'nvidia.com/gpu': 1 } }, nodeSelector: { 'kubernetes.io/hostname': 'gpu-node-0' } })
      .set('latency', { device: 'pool', runs: 50, template: { nodeSelector: { 'kubernetes.io/hostname': 'gpu-node-1' } } })
      .obj();
    const created = (await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, body })) as {
      metadata: { uid: string };
    };
    const searchId = resourceSearchId(NS, name, created.metadata.uid);
    const spec = parseSearchSpec(
      makeSearch(name, '/unused')
        .set('space', 'nasnet')
        .set('evaluator', { type: 'train' })
        .set('dataset', '/d')
        .set('latency', { device: 'pool', runs: 50 })
        .obj(),
    );
    const trial: TrialRef = { searchId, spec, trialId: `${searchId}/0/0`, attempt: 1, specUri: `s3://nasflow/searches/${searchId}/0/0/spec.json` };
    const latencyJobs = new KubeLauncher({ api: adapter, defaults: { image: 'nasflow/trainer:test' }, step: 'latency' });
    const steps = new LatencyStepLauncher(launcher, latencyJobs);
    await steps.launch(trial);
    const trainJob = jobNameFor(name, trial.trialId, 1);
    const latencyJob = jobNameFor(name, trial.trialId, 1, 'latency');
    assert.equal(latencyJob, `${trainJob}-lat`);
    const final = await eventually(async () => {
      const s = await steps.poll(trial);
      assert.equal(s.state, 'exited');
      return s;
    }, TIMEOUTS.long);
    assert.deepEqual(final, { state: 'exited', exitCode: 0 });
    const [train, measure] = await Promise.all([adapter.readJob(NS, trainJob), adapter.readJob(NS, latencyJob)]);
    assert.ok(train && measure, 'both Jobs exist');
    const completed = train.status?.completionTime;
    assert.ok(completed, 'the training Job completed');
    assert.ok(
      new Date(measure.metadata!.creationTimestamp!).getTime() >= new Date(completed).getTime(),
      `latency Job created ${String(measure.metadata!.creationTimestamp)}, after training completed ${String(completed)}`,
    );
    const container = at(measure.spec!.template.spec!.containers, 0);
    assert.deepEqual(container.command, ['nasflow', 'latency', 'measure', '--spec', trial.specUri]);
    assert.equal(container.resources?.limits?.['nvidia.com/gpu'], undefined, 'the latency pod asks for no GPU');
    const pods = await adapter.listJobPods(NS, latencyJob);
    assert.equal(at(pods, 0).spec!.nodeName, 'gpu-node-1', 'the latency pod ran on the latency pool');
    assert.equal(at(await adapter.listJobPods(NS, trainJob), 0).spec!.nodeName, 'gpu-node-0');
  });

  void it('replaces an evicted pod inside the Job: the attempt keeps running and nothing counts as failed', async () => {
    const trial = await trialOf('evicted', { nodeSelector: { 'nasflow.io/test': 'nowhere' } });
    await launcher.launch(trial);
    const first = await podOf(trial);
    await core.createNamespacedPodEviction({ namespace: NS, name: first.metadata!.name!, body: { metadata: { name: first.metadata!.name!, namespace: NS } } });
    const second = await podOf(trial, first.metadata!.uid);
    assert.notEqual(second.metadata!.uid, first.metadata!.uid);
    const name = jobNameFor('evicted', trial.trialId, 1);
    await eventually(async () => {
      const job = await adapter.readJob(NS, name);
      assert.equal(job!.status?.failed ?? 0, 0, 'an ignored disruption is not counted');
      assert.ok(!job!.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'));
    }, TIMEOUTS.short);
    assert.deepEqual(await launcher.poll(trial), { state: 'running' });
    await launcher.cancel(trial);
  });

  void it('fails the Job at once when the trainer exits 2 (bad spec): a user failure with the trainer message', async () => {
    const trial = await trialOf('bad-spec', { nodeSelector: { 'nasflow.io/test': 'nowhere' } });
    await launcher.launch(trial);
    await exitPod(await podOf(trial), 2, 'spec.dataset: s3://nasflow/none not found');
    const state = await eventually(async () => {
      const s = await launcher.poll(trial);
      assert.equal(s.state, 'exited');
      return s;
    }, TIMEOUTS.medium);
    assert.equal(state.state === 'exited' && state.exitCode, 2);
    assert.match(state.state === 'exited' ? (state.message ?? '') : '', /spec\.dataset: s3:\/\/nasflow\/none not found/);
    assert.equal(classifyExit(2), 'user');
  });

  void it('fails the Job on another exit code (crash): an infrastructure failure retried as a new attempt with its own Job', async () => {
    const trial = await trialOf('crashing', { nodeSelector: { 'nasflow.io/test': 'nowhere' } });
    await launcher.launch(trial);
    await exitPod(await podOf(trial), 1, 'S3 unreachable');
    const state = await eventually(async () => {
      const s = await launcher.poll(trial);
      assert.equal(s.state, 'exited');
      return s;
    }, TIMEOUTS.medium);
    assert.equal(state.state === 'exited' && state.exitCode, 1);
    assert.equal(classifyExit(1), 'infra');
    const retry = { ...trial, attempt: 2 };
    assert.deepEqual(await launcher.poll(retry), { state: 'missing' });
    await launcher.launch(retry);
    assert.deepEqual(await launcher.poll(retry), { state: 'running' });
    assert.equal((await adapter.listJobs(NS, 'nasflow.io/search=crashing')).length, 2);
  });

  void it('cancel deletes the Job; poll then reports the attempt missing', async () => {
    const trial = await trialOf('cancelled', { nodeSelector: { 'nasflow.io/test': 'nowhere' } });
    await launcher.launch(trial);
    await podOf(trial);
    await launcher.cancel(trial);
    await launcher.cancel(trial); // idempotent
    await eventually(async () => assert.deepEqual(await launcher.poll(trial), { state: 'missing' }), TIMEOUTS.short);
  });

  void it('refuses to launch for a resource that no longer exists', async () => {
    const trial = await trialOf('deleted', {});
    await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: 'deleted' });
    const fresh = new KubeLauncher({ api: adapter, defaults: { image: 'x' } });
    await assert.rejects(fresh.launch(trial), /no longer exists/);
  });
});
