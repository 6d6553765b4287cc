/**
 * The Helm chart: lints strictly, renders one value at a time as documented ("sets X when
 * provided", "omits X when unset"), and its output (and k8s/ via kustomize) passes a server-side
 * dry run against a real kube-apiserver.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startKube, type Handle } from '../../helpers/infra.js';
import type { KubeEndpoints } from '../../../src/dev/kube.js';
import { ensureTools } from '../../../src/dev/tools.js';
import { at } from '../../../src/common/indexing.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const CHART = join(ROOT, 'helm', 'nasflow');

interface Container {
  env?: { name: string; value?: string }[];
  args?: string[];
  image?: string;
  volumeMounts?: unknown[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  ports?: { name: string; containerPort: number }[];
  resources?: { limits?: Record<string, string> };
}

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  automountServiceAccountToken?: boolean;
  data?: Record<string, string>;
  spec?: {
    template?: { spec?: { containers: Container[]; volumes?: { name: string }[]; automountServiceAccountToken?: boolean } };
    validations?: { expression: string }[];
    maxUnavailable?: number;
  };
}

/** checkov (issue 16): the cache venv `pip install checkov` made, $NASFLOW_CHECKOV, or one on PATH; undefined when absent. */
function findCheckov(): string | undefined {
  const candidates = [process.env.NASFLOW_CHECKOV, join(homedir(), '.cache', 'nasflow', 'checkov-venv', 'bin', 'checkov'), 'checkov'].filter(
    (c): c is string => !!c,
  );
  return candidates.find((c) => spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0);
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
    return parseAllDocuments(r.out)
      .map((d) => d.toJSON() as Doc)
      .filter(Boolean);
  };
  /** helm template's error for values the schema must refuse. */
  const refused = (...sets: string[]): string => {
    const r = run(helm, ['template', 'nasflow', CHART, '-n', 'nasflow', ...sets.flatMap((s) => ['--set', s])]);
    assert.notEqual(r.code, 0, `rendered although ${sets.join(' ')} is invalid`);
    return r.err;
  };
  const doc = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  const container = (docs: Doc[], component: 'operator' | 'worker') =>
    at(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === `nasflow-${component}`)!.spec!.template!.spec!.containers, 0, 'container');
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

  void it('renders operator and worker Deployments, their ServiceAccounts, Roles in the release namespace only and the leader-election Role by default', () => {
    const docs = render();
    const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'Deployment/nasflow-operator',
      'Deployment/nasflow-worker',
      'NetworkPolicy/nasflow-operator',
      'NetworkPolicy/nasflow-worker',
      'PodDisruptionBudget/nasflow-operator',
      'PodDisruptionBudget/nasflow-worker',
      'Role/nasflow-leader-election',
      'Role/nasflow-operator',
      'Role/nasflow-worker',
      'RoleBinding/nasflow-leader-election',
      'RoleBinding/nasflow-operator',
      'RoleBinding/nasflow-worker',
      'Service/nasflow-operator-metrics',
      'Service/nasflow-worker-metrics',
      'ServiceAccount/nasflow-operator',
      'ServiceAccount/nasflow-worker',
      'ValidatingAdmissionPolicy/nasflow-trial-policy',
      'ValidatingAdmissionPolicyBinding/nasflow-trial-policy',
    ]);
    assert.deepEqual(container(docs, 'worker').args, [
      '--launcher=kubernetes',
      '--task-queue=nasflow',
      '--work-dir=/tmp/nasflow',
      '--metrics-address=0.0.0.0:9090',
    ]);
    assert.equal(env(docs, 'worker').NASFLOW_TRIAL_IMAGE?.value, 'ghcr.io/nasflow/trainer:0.1.0');
  });

  void it('sets Roles in each served namespace when operator.watchNamespaces is provided, and ClusterRoles only when rbac.clusterWide is', () => {
    const docs = render('operator.watchNamespaces={team-a,team-b}');
    assert.ok(!docs.some((d) => d.kind.startsWith('ClusterRole')));
    for (const ns of ['team-a', 'team-b']) {
      const roles = docs
        .filter((d) => d.kind === 'Role' && d.metadata.namespace === ns)
        .map((d) => d.metadata.name)
        .sort();
      assert.deepEqual(roles, ['nasflow-operator', 'nasflow-worker']);
    }
    assert.ok(container(docs, 'operator').args!.includes('--watch-namespace=team-a,team-b'));
    assert.equal(env(docs, 'worker').NASFLOW_WATCH_NAMESPACE?.value, 'team-a,team-b');
    const wide = render('rbac.clusterWide=true');
    assert.deepEqual(
      wide
        .filter((d) => d.kind === 'ClusterRole')
        .map((d) => d.metadata.name)
        .sort(),
      ['nasflow-operator', 'nasflow-worker'],
    );
    assert.ok(!container(wide, 'operator').args!.some((a) => a.startsWith('--watch-namespace')));
    assert.equal(env(wide, 'worker').NASFLOW_WATCH_NAMESPACE, undefined);
    assert.match(refused('operator.watchNamespace=team-a'), /additional properties 'watchNamespace' not allowed/);
  });

  void it('sets TEMPORAL_UI_URL when temporal.uiUrl is provided, and omits it when unset', () => {
    assert.equal(env(render('temporal.uiUrl=http://ui:8080'), 'operator').TEMPORAL_UI_URL?.value, 'http://ui:8080');
    assert.equal(env(render(), 'operator').TEMPORAL_UI_URL, undefined);
  });

  void it('sets NASFLOW_TRIAL_REQUIRE_GPU=false when trial.requireGpu is false, and omits it by default', () => {
    assert.equal(env(render('trial.requireGpu=false'), 'worker').NASFLOW_TRIAL_REQUIRE_GPU?.value, 'false');
    assert.equal(env(render(), 'worker').NASFLOW_TRIAL_REQUIRE_GPU, undefined);
  });

  void it('mounts the Temporal TLS Secret when temporal.tls.secretName is provided, and mounts nothing when TLS is off', () => {
    const docs = render('temporal.tls.enabled=true', 'temporal.tls.secretName=temporal-mtls');
    for (const c of ['operator', 'worker'] as const) {
      assert.equal(env(docs, c).TEMPORAL_TLS?.value, 'true');
      assert.equal(env(docs, c).TEMPORAL_TLS_CERT?.value, '/etc/nasflow/temporal-tls/tls.crt');
    }
    const vols = docs.find((d) => d.metadata.name === 'nasflow-operator' && d.kind === 'Deployment')!.spec!.template!.spec!.volumes!;
    assert.deepEqual(
      vols.map((v) => v.name),
      ['temporal-tls'],
    );
    const plain = render();
    assert.equal(env(plain, 'operator').TEMPORAL_TLS, undefined);
    assert.equal(container(plain, 'operator').volumeMounts, undefined);
  });

  void it('sets NASFLOW_S3_ENDPOINT and the credentials Secret when provided, and omits them when unset', () => {
    const docs = render('s3.endpoint=http://minio.minio:9000', 's3.credentialsSecret=nasflow-s3');
    const e = env(docs, 'worker');
    assert.equal(e.NASFLOW_S3_ENDPOINT?.value, 'http://minio.minio:9000');
    assert.equal(e.NASFLOW_TRIAL_S3_SECRET?.value, 'nasflow-s3');
    assert.ok(e.AWS_SECRET_ACCESS_KEY);
    const plain = env(render(), 'worker');
    assert.equal(plain.NASFLOW_S3_ENDPOINT, undefined);
    assert.equal(plain.AWS_SECRET_ACCESS_KEY, undefined);
  });

  void it('refuses bad values by the schema: helm template and helm lint --strict name the value', () => {
    assert.match(refused('worker.replicas=two'), /\/worker\/replicas': got string, want integer/);
    assert.match(refused('workr.replicas=2'), /additional properties 'workr' not allowed/);
    assert.match(refused('image.digest=latest'), /\/image\/digest/);
    assert.match(refused('trial.env[0].name=AWS_SECRET_ACCESS_KEY'), /\/trial\/env\/0\/name/);
    assert.match(refused('trial.volumeMounts[0].name=data', 'trial.volumeMounts[0].mountPath=/tmp/data'), /\/trial\/volumeMounts\/0\/mountPath/);
    assert.match(refused('policy.maxGpusPerTrial=lots'), /\/policy\/maxGpusPerTrial/);
    const lint = run(helm, ['lint', '--strict', CHART, '--set', 'worker.replicas=two']);
    assert.notEqual(lint.code, 0);
    assert.match(`${lint.out}${lint.err}`, /worker\/replicas/);
  });

  void it('pulls by digest when image.digest is provided, and by tag when unset', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const docs = render(`image.digest=${digest}`);
    assert.equal(container(docs, 'worker').image, `ghcr.io/nasflow/nasflow@${digest}`);
    assert.equal(doc(docs, 'Deployment', 'nasflow-worker')!.metadata.annotations!['checkov.io/skip3'], undefined, 'no digest waiver once a digest is set');
    assert.equal(container(render(), 'operator').image, 'ghcr.io/nasflow/nasflow:0.1.0');
  });

  void it('probes /healthz and /readyz on the metrics port, with CPU and memory limits, on both components', () => {
    const docs = render();
    for (const c of ['operator', 'worker'] as const) {
      const k = container(docs, c);
      assert.deepEqual(k.livenessProbe!.httpGet, { path: '/healthz', port: 'metrics' });
      assert.deepEqual(k.readinessProbe!.httpGet, { path: '/readyz', port: 'metrics' });
      assert.equal(k.ports?.[0]?.containerPort, 9090);
      assert.ok(k.resources!.limits!.cpu && k.resources!.limits!.memory, `${c} limits`);
      assert.equal(doc(docs, 'Deployment', `nasflow-${c}`)!.spec!.template!.spec!.automountServiceAccountToken, true);
      assert.equal(doc(docs, 'ServiceAccount', `nasflow-${c}`)!.automountServiceAccountToken, false);
    }
    assert.ok(container(render('metrics.port=9555', 'metrics.bindAddress=::'), 'operator').args!.includes('--metrics-address=[::]:9555'));
  });

  void it('sets PodDisruptionBudgets only for components with more than one replica', () => {
    assert.deepEqual(
      render('operator.replicas=1')
        .filter((d) => d.kind === 'PodDisruptionBudget')
        .map((d) => d.metadata.name),
      ['nasflow-worker'],
    );
    assert.ok(!render('podDisruptionBudget.enabled=false').some((d) => d.kind === 'PodDisruptionBudget'));
  });

  void it('sets a ServiceMonitor and the Grafana dashboard when provided, and omits them by default', () => {
    const docs = render('metrics.serviceMonitor.enabled=true', 'metrics.dashboard.enabled=true');
    assert.ok(doc(docs, 'ServiceMonitor', 'nasflow'));
    const dashboardJson = doc(docs, 'ConfigMap', 'nasflow-dashboard')!.data?.['nasflow.json'];
    assert.ok(dashboardJson, 'the dashboard ConfigMap holds nasflow.json');
    const dashboard = JSON.parse(dashboardJson) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of [
      'nasflow_trials_started_total',
      'nasflow_trial_duration_seconds_bucket',
      'nasflow_algorithm_step_duration_seconds_bucket',
      'nasflow_launcher_errors_total',
      'nasflow_operator_leader',
    ])
      assert.match(exprs, new RegExp(m));
    assert.ok(!render().some((d) => d.kind === 'ServiceMonitor' || d.kind === 'ConfigMap'));
  });

  void it('gives the operator the policy JSON and renders it as CEL; policy.admission=false omits the admission policy', () => {
    const docs = render('policy.allowedStorageSecrets={team-s3}', 'policy.maxGpusPerSearch=null');
    const policyJson = env(docs, 'operator').NASFLOW_POLICY?.value;
    assert.ok(policyJson, 'the operator has NASFLOW_POLICY');
    const policy = JSON.parse(policyJson) as Record<string, unknown>;
    assert.deepEqual(policy.allowedStorageSecrets, ['team-s3']);
    assert.equal('maxGpusPerSearch' in policy, false, 'a null rule is no rule');
    const cel = doc(docs, 'ValidatingAdmissionPolicy', 'nasflow-trial-policy')!
      .spec!.validations!.map((v) => v.expression)
      .join('\n');
    assert.match(cel, /\["team-s3"\]\.exists/);
    assert.doesNotMatch(cel, /variables\.gpus \* object\.spec\.budget\.parallelism/);
    assert.ok(!render('policy.admission=false').some((d) => d.kind.startsWith('ValidatingAdmissionPolicy')));
    assert.equal(env(render('policy.enabled=false'), 'operator').NASFLOW_POLICY, undefined);
  });

  void it('passes trial pod extras to the worker when provided', () => {
    const docs = render(
      'trial.podLabels.team=vision',
      'trial.terminationGracePeriodSeconds=300',
      'trial.volumes[0].name=data',
      'trial.volumes[0].persistentVolumeClaim.claimName=cifar',
      'trial.volumeMounts[0].name=data',
      'trial.volumeMounts[0].mountPath=/data',
    );
    const extrasJson = env(docs, 'worker').NASFLOW_TRIAL_POD_EXTRAS?.value;
    assert.ok(extrasJson, 'the worker has NASFLOW_TRIAL_POD_EXTRAS');
    const extras = JSON.parse(extrasJson) as Record<string, unknown>;
    assert.deepEqual(extras.podLabels, { team: 'vision' });
    assert.equal(extras.terminationGracePeriodSeconds, 300);
    assert.deepEqual(extras.volumeMounts, [{ name: 'data', mountPath: '/data' }]);
  });

  void it('has no unwaived checkov finding in the rendered chart (when checkov is installed)', (t) => {
    // A test, not a bench: a finding is a pass/fail property of the chart. checkov is a large Python
    // package, so CI does not install it at test time; install it once (docs/operations.md) to run this.
    const checkov = findCheckov();
    if (!checkov)
      return t.skip('checkov not installed: python3 -m venv ~/.cache/nasflow/checkov-venv && ~/.cache/nasflow/checkov-venv/bin/pip install checkov');
    const dir = mkdtempSync(join(tmpdir(), 'nasflow-checkov-'));
    try {
      const variants = {
        'default.yaml': [],
        'everything.yaml': [
          'metrics.serviceMonitor.enabled=true',
          'metrics.dashboard.enabled=true',
          's3.credentialsSecret=s3',
          'temporal.tls.enabled=true',
          'temporal.tls.secretName=tls',
          'rbac.clusterWide=true',
        ],
      };
      for (const [file, sets] of Object.entries(variants)) {
        const r = run(helm, ['template', 'nasflow', CHART, '-n', 'nasflow', ...sets.flatMap((s) => ['--set', s])]);
        assert.equal(r.code, 0, r.err);
        writeFileSync(join(dir, file), r.out);
      }
      const scan = run(checkov, ['-d', dir, '--framework', 'kubernetes', '--skip-download', '--quiet', '--compact', '-o', 'json']);
      const report = JSON.parse(scan.out) as {
        summary: { failed: number; passed: number; skipped: number };
        results: { failed_checks: { check_id: string; resource: string }[] };
      };
      assert.deepEqual(
        report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`),
        [],
      );
      assert.equal(report.summary.failed, 0);
      assert.ok(report.summary.passed > 100, `checkov ran its checks: ${JSON.stringify(report.summary)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('passes a server-side dry run of the rendered chart (with CRDs) and of k8s/ against the apiserver', () => {
    const kubectl = (args: string[], input?: string) => run('kubectl', ['--kubeconfig', kube.kubeconfig, ...args], input);
    assert.equal(kubectl(['create', 'namespace', 'nasflow']).code, 0);
    const rendered = run(helm, [
      'template',
      'nasflow',
      CHART,
      '-n',
      'nasflow',
      '--include-crds',
      '--set',
      'temporal.tls.enabled=true',
      '--set',
      'temporal.tls.secretName=t',
      '--set',
      's3.credentialsSecret=s',
    ]);
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
