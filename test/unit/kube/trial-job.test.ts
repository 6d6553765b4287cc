/** The trial Job manifest, field by field (pure builder; no cluster). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrialJob, jobNameFor, trialLabel, type TrialJobInput } from '../../../src/kube/trial-job.js';
import { trialStateOf } from '../../../src/kube/job-status.js';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { at } from '../../../src/common/indexing.js';

const SEARCH_ID = 'team-a/cifar/0d2f6c1e-1111-2222-3333-444455556666';
const TRIAL_ID = `${SEARCH_ID}/3/1`;

function input(over: Partial<TrialJobInput> = {}): TrialJobInput {
  return {
    namespace: 'team-a',
    searchName: 'cifar',
    searchId: SEARCH_ID,
    trialId: TRIAL_ID,
    attempt: 1,
    specUri: `s3://bucket/searches/${TRIAL_ID}/spec.json`,
    owner: { name: 'cifar', uid: '0d2f6c1e-1111-2222-3333-444455556666' },
    template: { resources: { limits: { 'nvidia.com/gpu': 1 } }, ttlSecondsAfterFinished: 600 },
    defaults: { image: 'nasflow/trainer:test', s3Endpoint: 'http://minio:9000', s3SecretName: 'default-s3' },
    ...over,
  };
}

void describe('buildTrialJob', () => {
  const job = buildTrialJob(input());
  const pod = job.spec!.template.spec!;
  const trainer = at(pod.containers, 0, 'container');

  void it('names the Job from the trial id, DNS-safe and within 63 characters', () => {
    assert.match(job.metadata!.name!, /^cifar-[0-9a-f]{8}-r3-1$/);
    assert.equal(jobNameFor('cifar', TRIAL_ID, 1), job.metadata!.name);
  });

  void it('gives later attempts their own name, still within 63 characters for a 40-character search name', () => {
    const long = 'a'.repeat(40);
    const bigTrial = `${SEARCH_ID}/123456/9999`;
    for (const attempt of [1, 2, 10, 100]) {
      const name = jobNameFor(long, bigTrial, attempt);
      assert.ok(name.length <= 63, `${name} has ${name.length} characters`);
      assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (attempt > 1) assert.ok(name.endsWith(`-a${attempt}`));
    }
    assert.notEqual(jobNameFor('cifar', TRIAL_ID, 2), jobNameFor('cifar', TRIAL_ID, 1));
  });

  void it('runs the latency step as its own Job: named -lat, labelled, on its template, measuring the same spec', () => {
    const lat = buildTrialJob(input({ step: 'latency', template: { nodeSelector: { 'nasflow.io/device': 'pixel' } } }));
    assert.equal(lat.metadata!.name, `${job.metadata!.name}-lat`);
    assert.equal(lat.metadata!.labels!['nasflow.io/step'], 'latency');
    assert.equal(job.metadata!.labels!['nasflow.io/step'], undefined, 'training Jobs carry no step label');
    assert.equal(lat.metadata!.labels!['nasflow.io/trial'], trialLabel(TRIAL_ID));
    const podSpec = lat.spec!.template.spec!;
    assert.deepEqual(podSpec.nodeSelector, { 'nasflow.io/device': 'pixel' });
    assert.deepEqual(at(podSpec.containers, 0).command, ['nasflow', 'latency', 'measure', '--spec', `s3://bucket/searches/${TRIAL_ID}/spec.json`]);
    assert.equal(at(podSpec.containers, 0).resources, undefined, 'no GPU unless the latency template asks for one');
    for (const attempt of [1, 2, 100]) {
      const name = jobNameFor('a'.repeat(40), `${SEARCH_ID}/123456/9999`, attempt, 'latency');
      assert.ok(name.length <= 63 && name.endsWith('-lat'), name);
      assert.notEqual(name, jobNameFor('a'.repeat(40), `${SEARCH_ID}/123456/9999`, attempt));
    }
  });

  void it('labels Job and pod with the search and the trial', () => {
    for (const labels of [job.metadata!.labels!, job.spec!.template.metadata!.labels!]) {
      assert.equal(labels['nasflow.io/search'], 'cifar');
      assert.equal(labels['nasflow.io/trial'], trialLabel(TRIAL_ID));
      assert.match(labels['nasflow.io/trial'], /^[0-9a-f]{16}$/);
    }
    assert.equal(job.metadata!.annotations!['nasflow.io/trial-id'], TRIAL_ID);
  });

  void it('is owned by the resource as its controller', () => {
    assert.deepEqual(job.metadata!.ownerReferences, [
      { apiVersion: 'nasflow.io/v1alpha1', kind: 'NeuralArchitectureSearch', name: 'cifar', uid: '0d2f6c1e-1111-2222-3333-444455556666', controller: true },
    ]);
  });

  void it('has no owner for a search without a resource', () => {
    const { owner: _o, ...rest } = input();
    assert.equal(buildTrialJob(rest).metadata!.ownerReferences, undefined);
  });

  void it('never retries inside the Job except after disruptions, and fails at once on exit codes 2 and 3', () => {
    assert.equal(job.spec!.backoffLimit, 0);
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(job.spec!.podReplacementPolicy, 'Failed');
    const [ignore, fail] = job.spec!.podFailurePolicy!.rules;
    assert.ok(ignore && fail, 'two pod failure rules');
    assert.equal(ignore.action, 'Ignore');
    assert.deepEqual(ignore.onPodConditions, [{ type: 'DisruptionTarget', status: 'True' }]);
    assert.equal(fail.action, 'FailJob');
    assert.deepEqual(fail.onExitCodes, { containerName: 'trainer', operator: 'In', values: [2, 3] });
  });

  void it('runs the trainer on the trial spec, non-root and unprivileged', () => {
    assert.deepEqual(trainer.command, ['nasflow', 'train', '--spec', `s3://bucket/searches/${TRIAL_ID}/spec.json`]);
    assert.equal(trainer.image, 'nasflow/trainer:test');
    assert.equal(pod.securityContext!.runAsNonRoot, true);
    assert.equal(pod.securityContext!.runAsUser, 1000);
    assert.equal(trainer.securityContext!.allowPrivilegeEscalation, false);
    assert.deepEqual(trainer.securityContext!.capabilities!.drop, ['ALL']);
    assert.equal(trainer.securityContext!.readOnlyRootFilesystem, true);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(trainer.terminationMessagePolicy, 'FallbackToLogsOnError');
  });

  void it('passes the spec URI, attempt and S3 settings by env, credentials from the Secret', () => {
    const env = Object.fromEntries(trainer.env!.map((e) => [e.name, e]));
    assert.equal(env.NASFLOW_TRIAL_SPEC?.value, `s3://bucket/searches/${TRIAL_ID}/spec.json`);
    assert.equal(env.NASFLOW_TRIAL_ATTEMPT?.value, '1');
    assert.equal(env.NASFLOW_S3_ENDPOINT?.value, 'http://minio:9000');
    assert.deepEqual(env.AWS_ACCESS_KEY_ID?.valueFrom, { secretKeyRef: { name: 'default-s3', key: 'AWS_ACCESS_KEY_ID' } });
    assert.ok(env.AWS_SECRET_ACCESS_KEY, 'AWS_SECRET_ACCESS_KEY is set');
    assert.equal(env.AWS_SECRET_ACCESS_KEY.value, undefined, 'never a literal secret');
    const own = buildTrialJob(input({ storageSecretRef: { name: 'team-s3', accessKeyIdKey: 'id', secretAccessKeyKey: 'key' } }));
    const ownEnv = Object.fromEntries(at(own.spec!.template.spec!.containers, 0).env!.map((e) => [e.name, e]));
    assert.deepEqual(ownEnv.AWS_SECRET_ACCESS_KEY?.valueFrom, { secretKeyRef: { name: 'team-s3', key: 'key' } });
  });

  const envOf = (j: V1Job) => Object.fromEntries(at(j.spec!.template.spec!.containers, 0).env!.map((e) => [e.name, e.value]));
  const gpuCases: [string, Partial<TrialJobInput>, string | undefined][] = [
    ['requires a GPU when the pod requests nvidia.com/gpu in limits', {}, '1'],
    [
      'requires a GPU when the pod requests nvidia.com/gpu in requests',
      { template: { resources: { requests: { 'nvidia.com/gpu': '2' } }, ttlSecondsAfterFinished: 600 } },
      '1',
    ],
    ['does not require a GPU when the pod requests none', { template: { resources: { limits: { cpu: '2' } }, ttlSecondsAfterFinished: 600 } }, undefined],
    [
      'does not require a GPU when the pod requests nvidia.com/gpu: 0',
      { template: { resources: { limits: { 'nvidia.com/gpu': 0 } }, ttlSecondsAfterFinished: 600 } },
      undefined,
    ],
    ['does not require a GPU when the worker turns it off (simulated GPU nodes)', { defaults: { image: 'x', requireGpu: false } }, undefined],
  ];
  for (const [title, over, want] of gpuCases) {
    void it(title, () => assert.equal(envOf(buildTrialJob(input(over))).NASFLOW_REQUIRE_GPU, want));
  }

  void it('omits credentials when neither the resource nor the worker names a Secret', () => {
    const j = buildTrialJob(input({ defaults: { image: 'x' } }));
    assert.ok(!at(j.spec!.template.spec!.containers, 0).env!.some((e) => e.name.startsWith('AWS_')));
  });

  void it('requests GPUs as string quantities and cleans up by TTL', () => {
    assert.deepEqual(trainer.resources, { limits: { 'nvidia.com/gpu': '1' } });
    assert.equal(job.spec!.ttlSecondsAfterFinished, 600);
    assert.equal(buildTrialJob(input({ template: {} })).spec!.ttlSecondsAfterFinished, 3600);
  });

  void it('copies scheduling fields only when set', () => {
    assert.equal(pod.nodeSelector, undefined);
    assert.equal(pod.priorityClassName, undefined);
    const j = buildTrialJob(
      input({
        template: {
          nodeSelector: { pool: 'gpu' },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
          priorityClassName: 'low',
          serviceAccountName: 'trainer',
          image: 'own:1',
        },
      }),
    );
    const p = j.spec!.template.spec!;
    assert.deepEqual(p.nodeSelector, { pool: 'gpu' });
    assert.deepEqual(p.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
    assert.equal(p.priorityClassName, 'low');
    assert.equal(p.serviceAccountName, 'trainer');
    assert.equal(at(p.containers, 0).image, 'own:1');
  });
});

void describe('trialStateOf', () => {
  const job = (conds: { type: string; status: string; reason?: string; message?: string }[]): V1Job => ({
    status: { conditions: conds.map((c) => ({ ...c })) },
  });
  const failedPod = (exitCode: number, created: string, message?: string): V1Pod => ({
    metadata: { creationTimestamp: new Date(created) },
    status: {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'trainer',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, reason: 'Error', ...(message ? { message } : {}) } },
        },
      ],
    },
  });

  const cases: [string, V1Job | undefined, V1Pod[], unknown][] = [
    ['no Job: missing', undefined, [], { state: 'missing' }],
    ['no conditions: running', job([]), [], { state: 'running' }],
    ['Complete: exit 0', job([{ type: 'Complete', status: 'True' }]), [], { state: 'exited', exitCode: 0 }],
    [
      'Failed by the pod failure policy: the trainer exit code and its log tail',
      job([{ type: 'Failed', status: 'True', reason: 'PodFailurePolicy' }]),
      [failedPod(2, '2026-01-01T00:00:00Z', 'spec.dataset: not found')],
      { state: 'exited', exitCode: 2, message: 'Error: spec.dataset: not found' },
    ],
    [
      'Failed: the newest failed pod wins',
      job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }]),
      [failedPod(1, '2026-01-01T00:00:00Z'), failedPod(75, '2026-01-01T00:05:00Z')],
      { state: 'exited', exitCode: 75, message: 'Error' },
    ],
    [
      'Failed without a pod: unknown exit, the Job reason',
      job([{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'too slow' }]),
      [],
      { state: 'exited', exitCode: 137, message: 'Job DeadlineExceeded: too slow' },
    ],
    ['FailureTarget only: still running until Failed', job([{ type: 'FailureTarget', status: 'True' }]), [], { state: 'running' }],
  ];
  for (const [title, j, pods, want] of cases) {
    void it(title, () => assert.deepEqual(trialStateOf(j, pods), want));
  }
});
