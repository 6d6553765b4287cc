/**
 * What the e2e tests of trained trials on Kubernetes share: one kube-apiserver with the CRD and one
 * Temporal dev server (cluster.ts), a synthetic CIFAR-format dataset (96 training, 32 test images),
 * the API clients, the storage Secret `s3-creds` their resources name, and the pod executor that
 * runs each trial pod's command on this machine on the given kwok GPU nodes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { KubeAdapter } from '../../src/kube/adapter.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { PodExecutor } from './pod-executor.js';
import { startClusterWithCrd } from './cluster.js';

export interface TrainerCluster {
  kube: Handle<KubeEndpoints>;
  temporal: Handle<TemporalEndpoints>;
  /** Scratch folder: the dataset in `synth`, room for stores and launcher folders. */
  dir: string;
  kc: KubeConfig;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  adapter: KubeAdapter;
  executor: PodExecutor;
  stop(): Promise<void>;
}

export async function startTrainerCluster(o: { dirPrefix: string; gpuNodes: readonly string[]; namespace: string }): Promise<TrainerCluster> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { kube, temporal } = await startClusterWithCrd();
  const dir = mkdtempSync(join(tmpdir(), o.dirPrefix));
  const synth = spawnSync(process.execPath, [CLI_ENTRY, 'dataset', 'synth', '--out', join(dir, 'synth'), '--train', '96', '--test', '32'], {
    encoding: 'utf8',
  });
  assert.equal(synth.status, 0, synth.stderr);
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({
    namespace: o.namespace,
    body: { metadata: { name: 's3-creds' }, stringData: { AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e-secret' } },
  });
  const executor = new PodExecutor(kc, [...o.gpuNodes], 1);
  await executor.start();
  return {
    kube,
    temporal,
    dir,
    kc,
    custom: kc.makeApiClient(CustomObjectsApi),
    core,
    adapter: new KubeAdapter(kc),
    executor,
    async stop() {
      await executor.stop();
      await Promise.all([kube.stop(), temporal.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
