import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { startKube, type Handle } from '../helpers/infra.js';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { at } from '../../src/common/indexing.js';

const GPU_NODES = 4;
const GPUS_PER_NODE = 8;

function gpuContainer(name: string): V1Pod['spec'] {
  return {
    restartPolicy: 'Never',
    containers: [{ name, image: 'nasflow/trainer:dev', resources: { limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '1' } } }],
  };
}

describe('Kubernetes control plane (real kube-apiserver + etcd + scheduler + controller manager, kwok GPU nodes)', () => {
  let kube: Handle<KubeEndpoints>;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  before(async () => {
    kube = await startKube({ gpuNodes: GPU_NODES, gpusPerNode: GPUS_PER_NODE });
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    batch = kc.makeApiClient(BatchV1Api);
  });

  after(async () => {
    await kube?.stop();
  });

  it('registers the kwok GPU nodes with nvidia.com/gpu capacity and Ready status', async () => {
    const nodes = await core.listNode();
    const gpuNodes = nodes.items.filter((n) => n.status?.allocatable?.['nvidia.com/gpu'] === String(GPUS_PER_NODE));
    assert.equal(gpuNodes.length, GPU_NODES);
    for (const n of gpuNodes) assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', `${n.metadata?.name} Ready`);
  });

  it('schedules a GPU Job onto a GPU node and completes it', async () => {
    const job: V1Job = {
      metadata: { name: 'gpu-trial', labels: { 'nasflow.io/search': 'smoke' } },
      spec: { backoffLimit: 0, template: { metadata: { labels: { 'nasflow.io/search': 'smoke' } }, spec: gpuContainer('trainer') } },
    };
    await batch.createNamespacedJob({ namespace: 'default', body: job });
    const pod = await eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'job-name=gpu-trial' });
      assert.equal(pods.items.length, 1);
      const bound = at(pods.items, 0);
      assert.ok(bound.spec?.nodeName, 'pod is bound to a node');
      return bound;
    }, TIMEOUTS.medium);
    assert.match(pod.spec!.nodeName!, /^gpu-node-\d$/);
    await eventually(async () => {
      const j = await batch.readNamespacedJob({ name: 'gpu-trial', namespace: 'default' });
      assert.equal(j.status?.conditions?.find((c) => c.type === 'Complete')?.status, 'True', 'Job Complete');
    }, TIMEOUTS.long);
    await batch.deleteNamespacedJob({ name: 'gpu-trial', namespace: 'default', propagationPolicy: 'Foreground' });
  });

  it('keeps the 33rd concurrent GPU request Pending: capacity is real', async () => {
    const total = GPU_NODES * GPUS_PER_NODE;
    await core.createNamespace({ body: { metadata: { name: 'capacity' } } });
    await eventually(() => core.readNamespacedServiceAccount({ name: 'default', namespace: 'capacity' }), TIMEOUTS.medium);
    for (let i = 0; i <= total; i++) {
      // Bare pods (no Job owner) stay Running under kwok, so each keeps its GPU.
      await core.createNamespacedPod({ namespace: 'capacity', body: { metadata: { name: `holder-${i}` }, spec: gpuContainer('holder') } });
    }
    // The scheduler records the 33rd pod's failed attempt a moment after the 32nd is placed.
    await eventually(async () => {
      const pods = (await core.listNamespacedPod({ namespace: 'capacity' })).items;
      const running = pods.filter((p) => p.status?.phase === 'Running');
      assert.equal(running.length, total, `running ${running.length}/${total}`);
      const pending = pods.filter((p) => p.status?.phase === 'Pending');
      assert.equal(pending.length, 1);
      const stuck = at(pending, 0);
      assert.equal(stuck.spec?.nodeName, undefined);
      const unschedulable = stuck.status?.conditions?.find((c) => c.type === 'PodScheduled');
      assert.equal(unschedulable?.reason, 'Unschedulable');
      assert.match(unschedulable?.message ?? '', /Insufficient nvidia\.com\/gpu/);
    }, TIMEOUTS.long);
  });

  it('rejects a malformed Job with a field error from the API server', async () => {
    const bad = { metadata: { name: 'Bad_Name' }, spec: { template: { spec: { restartPolicy: 'Always', containers: [] } } } } as V1Job;
    await assert.rejects(batch.createNamespacedJob({ namespace: 'default', body: bad }), (err: Error & { code?: number; body?: string }) => {
      assert.equal(err.code, 422);
      assert.match(String(err.body), /metadata\.name/);
      assert.match(String(err.body), /spec\.template\.spec\.containers/);
      return true;
    });
  });
});
