/** The admin's trial policy (src/kube/trial-policy.ts): one rule at a time, allowed and refused. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourceSpec, type ResourceSpec } from '../../../src/api/resource-spec.js';
import { imageAllowed, parseTrialPolicy, policyViolations, type TrialPolicy } from '../../../src/kube/trial-policy.js';
import { at } from '../../../src/common/indexing.js';

const base = { algorithm: { random: {} }, space: 'nb201', dataset: 'file:///data/cifar10', budget: { maxTrials: 4, parallelism: 2 }, storage: 's3://bucket/p' };
const spec = (extra: Record<string, unknown> = {}): ResourceSpec => parseResourceSpec({ ...base, ...extra });
const fields = (s: ResourceSpec, p: TrialPolicy, d = {}) => policyViolations(s, p, d).map((v) => v.field);
const policy = (p: Record<string, unknown>) => parseTrialPolicy(JSON.stringify(p));

void describe('trial policy', () => {
  void it('allows everything when no rule is set, and a spec that sets nothing under any policy', () => {
    const all = spec({
      template: { image: 'evil.example/x:1', serviceAccountName: 'admin', tolerations: [{ operator: 'Exists' }] },
      storageSecretRef: { name: 'db' },
    });
    assert.deepEqual(fields(all, policy({ allowCustomSecretKeys: true })), []);
    assert.deepEqual(
      fields(spec(), policy({ allowedImages: [], allowedServiceAccounts: [], allowedStorageSecrets: [], maxGpusPerTrial: 0, maxGpusPerSearch: 0 })),
      [],
    );
  });

  const images: [string, string[], boolean][] = [
    ['ghcr.io/nasflow/trainer:0.1.0', ['ghcr.io/nasflow/trainer'], true],
    ['ghcr.io/nasflow/trainer@sha256:abc', ['ghcr.io/nasflow/trainer'], true],
    ['ghcr.io/nasflow/trainer-evil:1', ['ghcr.io/nasflow/trainer'], false],
    ['ghcr.io/nasflow/anything:1', ['ghcr.io/nasflow/'], true],
    ['ghcr.io/nasflowx/t:1', ['ghcr.io/nasflow/'], false],
    ['docker.io/library/busybox', ['*'], true],
  ];
  for (const [image, allowed, ok] of images) {
    void it(`${ok ? 'allows' : 'refuses'} image ${image} under [${allowed.join(', ')}]`, () => assert.equal(imageAllowed(image, allowed), ok));
  }

  void it('refuses an image outside the list naming the field, but always allows the worker default', () => {
    const p = policy({ allowedImages: ['ghcr.io/nasflow/'] });
    const v = policyViolations(spec({ template: { image: 'docker.io/evil:1' } }), p);
    assert.equal(at(v, 0).field, 'spec.template.image');
    assert.match(at(v, 0).message, /docker\.io\/evil:1 is not allowed.*allowed: ghcr\.io\/nasflow\//);
    assert.deepEqual(fields(spec({ template: { image: 'other.example/t:1' } }), p, { image: 'other.example/t:1' }), []);
  });

  void it('refuses service accounts, node selectors and tolerations not listed', () => {
    const p = policy({
      allowedServiceAccounts: ['trainer'],
      allowedNodeSelectors: { pool: ['gpu-a100', 'gpu-h100'], zone: ['*'] },
      allowedTolerationKeys: ['nvidia.com/gpu'],
    });
    assert.deepEqual(
      fields(
        spec({
          template: {
            serviceAccountName: 'trainer',
            nodeSelector: { pool: 'gpu-h100', zone: 'z1' },
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
          },
        }),
        p,
      ),
      [],
    );
    assert.deepEqual(fields(spec({ template: { serviceAccountName: 'default-admin' } }), p), ['spec.template.serviceAccountName']);
    assert.deepEqual(fields(spec({ template: { nodeSelector: { pool: 'system', 'kubernetes.io/hostname': 'n1' } } }), p), [
      'spec.template.nodeSelector.pool',
      'spec.template.nodeSelector.kubernetes.io/hostname',
    ]);
    assert.deepEqual(
      fields(spec({ template: { tolerations: [{ operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] } }), p),
      ['spec.template.tolerations[0]', 'spec.template.tolerations[1]'],
    );
  });

  void it('refuses a Secret not listed and custom key names, and allows the default Secret', () => {
    const p = policy({ allowedStorageSecrets: ['team-s3'] });
    assert.deepEqual(fields(spec({ storageSecretRef: { name: 'team-s3' } }), p), []);
    assert.deepEqual(fields(spec({ storageSecretRef: { name: 'db-password' } }), p), ['spec.storageSecretRef.name']);
    assert.deepEqual(fields(spec({ storageSecretRef: { name: 'team-s3', accessKeyIdKey: 'password' } }), p), ['spec.storageSecretRef.accessKeyIdKey']);
    assert.deepEqual(fields(spec({ storageSecretRef: { name: 'nasflow-s3' } }), p, { storageSecret: 'nasflow-s3' }), []);
    assert.deepEqual(fields(spec({ storageSecretRef: { name: 'team-s3', accessKeyIdKey: 'id' } }), policy({ allowCustomSecretKeys: true })), []);
  });

  void it('caps GPUs per trial and per search (GPUs per trial x parallelism)', () => {
    const p = policy({ maxGpusPerTrial: 2, maxGpusPerSearch: 8 });
    const gpus = (n: number, parallelism: number) =>
      spec({ template: { resources: { limits: { 'nvidia.com/gpu': n } } }, budget: { maxTrials: 4, parallelism } });
    assert.deepEqual(fields(gpus(2, 4), p), []);
    assert.deepEqual(fields(gpus(4, 1), p), ['spec.template.resources.limits.nvidia.com/gpu']);
    const v = policyViolations(gpus(2, 5), p);
    assert.deepEqual(
      v.map((x) => x.field),
      ['spec.budget.parallelism'],
    );
    assert.match(at(v, 0).message, /10 GPUs, above the cluster's maximum of 8/);
  });

  void it('names the field and the fix for a bad policy document', () => {
    assert.throws(() => parseTrialPolicy('{'), /NASFLOW_POLICY is not JSON/);
    assert.throws(() => parseTrialPolicy('{"maxGpusPerTrial": "two"}'), /policy\.maxGpusPerTrial: .*values\.yaml/);
    assert.throws(() => parseTrialPolicy('{"allowedImage": []}'), /policy\.\(root\)|allowedImage/);
  });
});
