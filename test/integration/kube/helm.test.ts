/**
 * The Helm chart: lints strictly, renders one value at a time as documented ("sets X when
 * provided", "omits X when unset"), and its output (and k8s/ via kustomize) passes a server-side
 * dry run against a real kube-apiserver.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startKube, type Handle } from '../../helpers/infra.js';
import type { KubeEndpoints } from '../../../src/dev/kube.js';
import { ensureTools } from '../../../src/dev/tools.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const CHART = join(ROOT, 'helm', 'nasflow');

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { containers: { env?: { name: string; value?: string }[]; args?: string[]; volumeMounts?: unknown[] }[]; volumes?: { name: string }[] } } };
}

void describe('Helm chart helm/nasflow', () => {
  let helm: string;
  let kube: Handle<KubeEndpoints>;
  const run = (cmd: string, args: string[], input?: string) => {
    const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 32 << 20 });
    return { code: r.status ?? 1, out: r.stdout, err: r.stderr };
  };
  const render = (...sets: string[]): Doc[] => {
    const r = run(helm, ['template', 'nasflow', CHART, '-n', 'nasflow', ...sets.flatMap((s) => ['--set', s])]);
    assert.equal(r.code, 0, r.err);
    return parseAllDocuments(r.out).map((d) => d.toJSON() as Doc).filter(Boolean);
  };
  const container = (docs: Doc[], component: 'operator' | 'worker') => docs.find((d) => d.kind === 'Deployment' && d.metadata.name === `nasflow-${component}`)!.spec!.template!.spec!.containers[0];
  const env = (docs: Doc[], component: 'operator' | 'worker') => Object.fromEntries((container(docs, component).env ?? []).map((e) => [e.name, e]));

  before(async () => {
    helm = (await ensureTools({ env: process.env, only: ['helm'], log: () => undefined })).helm.path;
    kube = await startKube({ gpuNodes: 0 });
  });

  after(async () => {
    await kube?.stop();
  });

  void it('lints with --strict', () => {
    const r = run(helm, ['lint', '--strict', CHART]);
    assert.equal(r.code, 0, `${r.out}${r.err}`);
    assert.match(r.out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  void it('renders operator and worker Deployments, their ServiceAccounts, ClusterRoles and the leader-election Role by default', () => {
    const docs = render();
    const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'ClusterRole/nasflow-operator', 'ClusterRole/nasflow-worker', 'ClusterRoleBinding/nasflow-operator', 'ClusterRoleBinding/nasflow-worker',
      'Deployment/nasflow-operator', 'Deployment/nasflow-worker', 'Role/nasflow-leader-election', 'RoleBinding/nasflow-leader-election',
      'ServiceAccount/nasflow-operator', 'ServiceAccount/nasflow-worker',
    ]);
    assert.deepEqual(container(docs, 'worker').args, ['--launcher=kubernetes', '--task-queue=nasflow', '--work-dir=/tmp/nasflow']);
    assert.equal(env(docs, 'worker').NASFLOW_TRIAL_IMAGE.value, 'ghcr.io/nasflow/trainer:0.1.0');
  });

  void it('sets Roles in the watched namespace when operator.watchNamespace is provided', () => {
    const docs = render('operator.watchNamespace=team-a');
    assert.ok(!docs.some((d) => d.kind.startsWith('ClusterRole')));
    const roles = docs.filter((d) => d.kind === 'Role' && d.metadata.namespace === 'team-a').map((d) => d.metadata.name).sort();
    assert.deepEqual(roles, ['nasflow-operator', 'nasflow-worker']);
    assert.ok(container(docs, 'operator').args!.includes('--watch-namespace=team-a'));
  });

  void it('sets TEMPORAL_UI_URL when temporal.uiUrl is provided, and omits it when unset', () => {
    assert.equal(env(render('temporal.uiUrl=http://ui:8080'), 'operator').TEMPORAL_UI_URL.value, 'http://ui:8080');
    assert.equal(env(render(), 'operator').TEMPORAL_UI_URL, undefined);
  });

  void it('sets NASFLOW_TRIAL_REQUIRE_GPU=false when trial.requireGpu is false, and omits it by default', () => {
    assert.equal(env(render('trial.requireGpu=false'), 'worker').NASFLOW_TRIAL_REQUIRE_GPU.value, 'false');
    assert.equal(env(render(), 'worker').NASFLOW_TRIAL_REQUIRE_GPU, undefined);
  });

  void it('mounts the Temporal TLS Secret when temporal.tls.secretName is provided, and mounts nothing when TLS is off', () => {
    const docs = render('temporal.tls.enabled=true', 'temporal.tls.secretName=temporal-mtls');
    for (const c of ['operator', 'worker'] as const) {
      assert.equal(env(docs, c).TEMPORAL_TLS.value, 'true');
      assert.equal(env(docs, c).TEMPORAL_TLS_CERT.value, '/etc/nasflow/temporal-tls/tls.crt');
    }
    const vols = docs.find((d) => d.metadata.name === 'nasflow-operator' && d.kind === 'Deployment')!.spec!.template!.spec!.volumes!;
    assert.deepEqual(vols.map((v) => v.name), ['temporal-tls']);
    const plain = render();
    assert.equal(env(plain, 'operator').TEMPORAL_TLS, undefined);
    assert.equal(container(plain, 'operator').volumeMounts, undefined);
  });

  void it('sets NASFLOW_S3_ENDPOINT and the credentials Secret when provided, and omits them when unset', () => {
    const docs = render('s3.endpoint=http://minio.minio:9000', 's3.credentialsSecret=nasflow-s3');
    const e = env(docs, 'worker');
    assert.equal(e.NASFLOW_S3_ENDPOINT.value, 'http://minio.minio:9000');
    assert.equal(e.NASFLOW_TRIAL_S3_SECRET.value, 'nasflow-s3');
    assert.ok(e.AWS_SECRET_ACCESS_KEY);
    const plain = env(render(), 'worker');
    assert.equal(plain.NASFLOW_S3_ENDPOINT, undefined);
    assert.equal(plain.AWS_SECRET_ACCESS_KEY, undefined);
  });

  void it('passes a server-side dry run of the rendered chart (with CRDs) and of k8s/ against the apiserver', () => {
    const kubectl = (args: string[], input?: string) => run('kubectl', ['--kubeconfig', kube.kubeconfig, ...args], input);
    assert.equal(kubectl(['create', 'namespace', 'nasflow']).code, 0);
    const rendered = run(helm, ['template', 'nasflow', CHART, '-n', 'nasflow', '--include-crds', '--set', 'temporal.tls.enabled=true', '--set', 'temporal.tls.secretName=t', '--set', 's3.credentialsSecret=s']);
    assert.equal(rendered.code, 0, rendered.err);
    const dry = kubectl(['apply', '--dry-run=server', '-f', '-'], rendered.out);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /deployment\.apps\/nasflow-operator created \(server dry run\)/);
    assert.match(dry.out, /customresourcedefinition\.apiextensions\.k8s\.io\/neuralarchitecturesearches\.nasflow\.io created \(server dry run\)/);
    const kust = kubectl(['apply', '--dry-run=server', '-k', join(ROOT, 'k8s')]);
    assert.equal(kust.code, 0, kust.err);
    assert.match(kust.out, /clusterrole\.rbac\.authorization\.k8s\.io\/nasflow-worker created \(server dry run\)/);
  });
});
