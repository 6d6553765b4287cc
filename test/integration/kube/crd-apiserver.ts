/**
 * A real kube-apiserver with the generated NeuralArchitectureSearch CRD installed and served, and
 * a synchronous kubectl against it: the fixture of the tests that put documents to the apiserver.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startKube } from '../../helpers/infra.js';
import { eventually, TIMEOUTS } from '../../helpers/wait.js';
import { CRD_PATHS } from '../../../src/kube/crd-yaml.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');

export interface CrdApiserver {
  /** The kubeconfig file of the apiserver (for processes under test: KUBECONFIG). */
  kubeconfig: string;
  kubectl(args: string[], input?: string): { code: number; out: string };
  stop(): Promise<void>;
}

export async function startCrdApiserver(): Promise<CrdApiserver> {
  const kube = await startKube({ gpuNodes: 0 });
  const kubectl = (args: string[], input?: string): { code: number; out: string } => {
    const r = spawnSync('kubectl', ['--kubeconfig', kube.kubeconfig, ...args], { input, encoding: 'utf8' });
    return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
  };
  const r = kubectl(['apply', '--server-side', '-f', join(REPO_ROOT, CRD_PATHS[0])]);
  assert.equal(r.code, 0, r.out);
  await eventually(async () => assert.equal(kubectl(['get', 'nas']).code, 0), TIMEOUTS.medium);
  return { kubeconfig: kube.kubeconfig, kubectl, stop: () => kube.stop() };
}
