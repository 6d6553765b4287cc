/**
 * The shared start of every end-to-end file: a real Kubernetes control plane and a Temporal dev
 * server, started together, with the NeuralArchitectureSearch CRD applied. If either part fails to
 * start, the other is stopped before the error propagates, so a failed start leaks no server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { CRD_PATHS } from '../../src/kube/crd-yaml.js';
import { startKube, startTemporal, type Handle } from '../helpers/infra.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export async function startClusterWithCrd(): Promise<{ kube: Handle<KubeEndpoints>; temporal: Handle<TemporalEndpoints> }> {
  const [kube, temporal] = await Promise.allSettled([startKube({ gpuNodes: 0 }), startTemporal()]);
  if (kube.status === 'rejected' || temporal.status === 'rejected') {
    if (kube.status === 'fulfilled') await kube.value.stop();
    if (temporal.status === 'fulfilled') await temporal.value.stop();
    throw kube.status === 'rejected' ? kube.reason : (temporal as PromiseRejectedResult).reason;
  }
  const r = spawnSync('kubectl', ['--kubeconfig', kube.value.kubeconfig, 'apply', '--server-side', '-f', join(REPO_ROOT, CRD_PATHS[0])], { encoding: 'utf8' });
  try {
    assert.equal(r.status, 0, r.stderr);
  } catch (err) {
    await kube.value.stop();
    await temporal.value.stop();
    throw err;
  }
  return { kube: kube.value, temporal: temporal.value };
}
