/**
 * Issue 16, least privilege: a namespace user (RBAC impersonation of `alice`, who may create
 * searches in team-a but may not read its Secrets) cannot make the platform run an image the
 * cluster's trial policy forbids, nor hand a trial pod a Secret (or a key of one) she names, and
 * an admin can allow both by changing the Helm values.
 *
 * Against a real kube-apiserver: the chart's ValidatingAdmissionPolicy (rendered by helm from the
 * policy values) refuses her kubectl apply with a message naming the field; with the admission
 * policy left out (policy.admission=false, or an apiserver without it), the operator refuses the
 * same search before any workflow starts: status Failed, condition InvalidSpec with reason
 * PolicyRejected, a Warning Event, no workflow and no Job.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { CustomObjectsApi, EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Handle } from '../helpers/infra.js';
import type { KubeEndpoints } from '../../src/dev/kube.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { ensureTools } from '../../src/dev/tools.js';
import { KubeAdapter } from '../../src/kube/adapter.js';
import { EventRecorder } from '../../src/kube/event-recorder.js';
import { parseTrialPolicy } from '../../src/kube/trial-policy.js';
import { Operator } from '../../src/operator/operator.js';
import { TemporalSearchControl } from '../../src/operator/search-control.js';
import { GROUP, PLURAL, VERSION, resourceSearchId, type NeuralArchitectureSearch } from '../../src/api/resource-spec.js';
import { makeResource } from '../integration/kube/resource-builder.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { REPO_ROOT, startClusterWithCrd } from './cluster.js';
import { at } from '../../src/common/indexing.js';

const NS = 'team-a';
const CHART = join(REPO_ROOT, 'helm', 'nasflow');
const FORBIDDEN_IMAGE = 'docker.io/attacker/exfiltrate:1';

void describe('trial policy: a namespace user against the platform', () => {
  let kube: Handle<KubeEndpoints>;
  let temporal: Handle<TemporalEndpoints>;
  let helm: string;
  let connection: Connection;
  let operator: Operator | undefined;
  const logs: string[] = [];
  const run = (cmd: string, args: string[], input?: string) => {
    const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 32 << 20 });
    return { code: r.status ?? 1, out: r.stdout, err: r.stderr };
  };
  const kubectl = (args: string[], input?: string, as?: string) =>
    run('kubectl', ['--kubeconfig', kube.kubeconfig, ...(as ? ['--as', as] : []), ...args], input);
  /** The chart's admission policy for these values, applied by the admin (cluster-admin kubeconfig). */
  const applyPolicy = (...sets: string[]) => {
    const r = run(helm, [
      'template',
      'nasflow',
      CHART,
      '-n',
      'nasflow',
      '--show-only',
      'templates/admission-policy.yaml',
      '--set',
      `operator.watchNamespaces={${NS}}`,
      ...sets.flatMap((s) => ['--set', s]),
    ]);
    assert.equal(r.code, 0, r.err);
    const applied = kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], r.out);
    assert.equal(applied.code, 0, applied.err);
  };
  const asAlice = (obj: object) => kubectl(['create', '-f', '-'], JSON.stringify(obj), 'alice');
  /** Admission policies take effect once the apiserver's policy informer has them: retry a refused-as-expected create until the message shows. */
  const refused = async (obj: object, message: RegExp) =>
    eventually(
      async () => {
        const r = asAlice(obj);
        assert.notEqual(r.code, 0, `created although the policy forbids it: ${r.out}`);
        assert.match(r.err, message);
        return r.err;
      },
      TIMEOUTS.short,
      500,
    );
  const admitted = async (obj: object) =>
    eventually(
      async () => {
        const r = asAlice(obj);
        assert.equal(r.code, 0, r.err);
      },
      TIMEOUTS.short,
      500,
    );

  before(async () => {
    helm = (await ensureTools({ env: process.env, only: ['helm'], log: () => undefined })).helm.path;
    ({ kube, temporal } = await startClusterWithCrd());
    connection = await Connection.connect({ address: temporal.address });
    assert.equal(kubectl(['create', 'namespace', NS]).code, 0);
    // alice: may create and read searches in team-a, nothing else (in particular no Secrets, no Jobs).
    const rbac = kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'Role',
            metadata: { name: 'search-author', namespace: NS },
            rules: [{ apiGroups: [GROUP], resources: [PLURAL], verbs: ['create', 'get', 'list', 'watch', 'delete'] }],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: 'alice-search-author', namespace: NS },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'search-author' },
            subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
          },
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'db-password', namespace: NS },
            stringData: { password: 'hunter2', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
          },
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'team-s3', namespace: NS },
            stringData: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', password: 'z' },
          },
        ],
      }),
    );
    assert.equal(rbac.code, 0, rbac.err);
  });

  after(async () => {
    await operator?.stop();
    await connection?.close();
    await kube?.stop();
    await temporal?.stop();
  });

  void it('alice cannot read the Secrets herself (the premise)', () => {
    const r = kubectl(['get', 'secret', 'db-password', '-n', NS], undefined, 'alice');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /forbidden/i);
    assert.equal(kubectl(['auth', 'can-i', 'create', `${PLURAL}.${GROUP}`, '-n', NS], undefined, 'alice').out.trim(), 'yes');
  });

  void it('the apiserver refuses her forbidden image, Secret and key names, and admits what the policy allows', async () => {
    applyPolicy('policy.allowedStorageSecrets={team-s3}');
    const tc = kubectl(['get', 'validatingadmissionpolicy', 'nasflow-trial-policy', '-o', 'jsonpath={.status.typeChecking}']);
    assert.equal(tc.code, 0, tc.err);
    assert.doesNotMatch(tc.out, /warning/i, `the CEL type-checks against the CRD: ${tc.out}`);
    await refused(
      makeResource('evil-image', NS).set('template', { image: FORBIDDEN_IMAGE }).obj(),
      /spec\.template\.image: docker\.io\/attacker\/exfiltrate:1 is not allowed/,
    );
    await refused(
      makeResource('evil-secret', NS).set('storageSecretRef', { name: 'db-password' }).obj(),
      /spec\.storageSecretRef\.name: Secret db-password is not allowed/,
    );
    await refused(
      makeResource('evil-key', NS).set('storageSecretRef', { name: 'team-s3', secretAccessKeyKey: 'password' }).obj(),
      /custom key names are not allowed/,
    );
    await refused(
      makeResource('evil-gpus', NS)
        .set('template', { resources: { limits: { 'nvidia.com/gpu': 16 } } })
        .obj(),
      /16 nvidia\.com\/gpu per trial is above the cluster maximum of 8/,
    );
    await refused(
      makeResource('evil-toleration', NS)
        .set('template', { tolerations: [{ operator: 'Exists' }] })
        .obj(),
      /spec\.template\.tolerations/,
    );
    await admitted(makeResource('allowed', NS).set('template', { image: 'ghcr.io/nasflow/trainer:0.1.0' }).set('storageSecretRef', { name: 'team-s3' }).obj());
  });

  void it('an admin allows the image and the Secret by changing the values; then the same searches are admitted', async () => {
    applyPolicy(`policy.allowedImages={ghcr.io/nasflow/,${FORBIDDEN_IMAGE.split(':')[0]}}`, 'policy.allowedStorageSecrets={team-s3,db-password}');
    await admitted(makeResource('admin-image', NS).set('template', { image: FORBIDDEN_IMAGE }).obj());
    await admitted(makeResource('admin-secret', NS).set('storageSecretRef', { name: 'db-password' }).obj());
  });

  void it('without the admission policy, the operator refuses the search: Failed, PolicyRejected, a Warning Event, no workflow, no Job', async () => {
    assert.equal(kubectl(['delete', 'validatingadmissionpolicybinding', 'nasflow-trial-policy']).code, 0);
    const rendered = run(helm, [
      'template',
      'nasflow',
      CHART,
      '-n',
      'nasflow',
      '--show-only',
      'templates/operator-deployment.yaml',
      '--set',
      'policy.allowedStorageSecrets={team-s3}',
    ]).out.match(/name: NASFLOW_POLICY\n\s+value: (".*")/);
    assert.ok(rendered?.[1], 'the operator Deployment sets NASFLOW_POLICY');
    const policy = parseTrialPolicy(JSON.parse(rendered[1]) as string);
    // The searches admitted above would start workflows no worker runs (and slow every reconcile with progress queries): remove them first.
    assert.equal(kubectl(['delete', PLURAL, '--all', '-n', NS, '--wait=true']).code, 0);
    await admitted(makeResource('slipped', NS).set('template', { image: FORBIDDEN_IMAGE }).set('storageSecretRef', { name: 'db-password' }).obj());
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfig);
    const adapter = new KubeAdapter(kc);
    const client = new Client({ connection, namespace: temporal.namespace });
    operator = new Operator({
      kube: adapter,
      temporal: new TemporalSearchControl(client, 'policy-e2e'),
      temporalNamespace: temporal.namespace,
      leaseNamespace: NS,
      identity: 'operator-policy',
      resyncMs: 400,
      leaseSeconds: 3,
      leaseRetryMs: 300,
      watchNamespace: NS,
      now: () => new Date(),
      log: (m) => logs.push(m),
      policy,
      policyDefaults: { image: 'ghcr.io/nasflow/trainer:0.1.0' },
      events: new EventRecorder({
        api: adapter,
        controller: 'nasflow.io/operator',
        instance: 'operator-policy',
        now: () => new Date(),
        log: (m) => logs.push(m),
      }),
    });
    operator.start();
    const custom = kc.makeApiClient(CustomObjectsApi);
    const s = await eventually(async () => {
      const got = (await custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: PLURAL,
        name: 'slipped',
      })) as NeuralArchitectureSearch;
      assert.equal(got.status?.phase, 'Failed', `phase ${got.status?.phase}; operator log:\n${logs.join('\n')}`);
      return got;
    }, TIMEOUTS.medium);
    const cond = s.status!.conditions!.find((c) => c.type === 'InvalidSpec')!;
    assert.equal(cond.reason, 'PolicyRejected');
    assert.match(cond.message, /spec\.template\.image: image docker\.io\/attacker\/exfiltrate:1 is not allowed/);
    assert.match(cond.message, /spec\.storageSecretRef\.name: Secret db-password is not allowed/);
    const events = kc.makeApiClient(EventsV1Api);
    const ev = await eventually(async () => {
      const list = await events.listNamespacedEvent({ namespace: NS, fieldSelector: 'regarding.name=slipped' });
      const rejected = list.items.filter((e) => e.reason === 'PolicyRejected');
      assert.equal(rejected.length, 1, `events: ${list.items.map((e) => e.reason).join(', ')}`);
      return at(rejected, 0);
    }, TIMEOUTS.short);
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.regarding?.uid, s.metadata.uid);
    // Resyncs keep reconciling the rejected search: still one Event (deduplicated), no workflow, no Job.
    const reconciles = operator.reconciles;
    await eventually(async () => assert.ok(operator!.reconciles >= reconciles + 3), TIMEOUTS.short);
    const again = await events.listNamespacedEvent({ namespace: NS, fieldSelector: 'regarding.name=slipped' });
    assert.equal(again.items.filter((e) => e.reason === 'PolicyRejected').length, 1);
    assert.equal(await new TemporalSearchControl(client, 'policy-e2e').describe(resourceSearchId(NS, 'slipped', s.metadata.uid)), undefined);
    assert.equal(kubectl(['get', 'jobs', '-n', NS, '-o', 'name']).out.trim(), '');
    // Its phase change was recorded too.
    assert.ok(
      again.items.some((e) => e.reason === 'SearchFailed'),
      again.items.map((e) => e.reason).join(', '),
    );
  });
});
