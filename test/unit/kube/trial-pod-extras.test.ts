/** The admin's trial pod extras (Helm values trial.*): checked at worker start, merged into every trial Job. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrialJob } from '../../../src/kube/trial-job.js';
import { parseTrialPodExtras } from '../../../src/kube/trial-pod-extras.js';
import { at } from '../../../src/common/indexing.js';

const job = (extras: object) =>
  buildTrialJob({
    namespace: 'team-a',
    searchName: 'cifar',
    searchId: 'team-a/cifar/u1',
    trialId: 'team-a/cifar/u1/0/0',
    attempt: 1,
    specUri: 's3://b/spec.json',
    template: {},
    defaults: { image: 'ghcr.io/nasflow/trainer:0.1.0', extras: parseTrialPodExtras(JSON.stringify(extras)) },
  });

void describe('trial pod extras', () => {
  void it('adds labels, annotations, env, volumes, mounts and the grace period; nasflow keeps its own', () => {
    const j = job({
      podLabels: { team: 'vision' },
      podAnnotations: { 'example.com/owner': 'ana' },
      terminationGracePeriodSeconds: 300,
      env: [{ name: 'TF_CPP_MIN_LOG_LEVEL', value: '2' }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'cifar' } }],
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
    });
    const pod = j.spec!.template;
    assert.equal(pod.metadata!.labels!.team, 'vision');
    assert.equal(pod.metadata!.labels!['nasflow.io/search'], 'cifar');
    assert.equal(pod.metadata!.annotations!['example.com/owner'], 'ana');
    assert.equal(pod.spec!.terminationGracePeriodSeconds, 300);
    assert.deepEqual(
      pod.spec!.volumes!.map((v) => v.name),
      ['tmp', 'data'],
    );
    const c = at(pod.spec!.containers, 0);
    assert.deepEqual(
      c.volumeMounts!.map((m) => m.mountPath),
      ['/tmp', '/data'],
    );
    assert.equal(c.env!.at(-1)!.name, 'TF_CPP_MIN_LOG_LEVEL');
    assert.equal(at(c.env!, 0).name, 'NASFLOW_TRIAL_SPEC');
  });

  void it('omits everything when no extras are set', () => {
    const pod = job({}).spec!.template;
    assert.equal(pod.spec!.terminationGracePeriodSeconds, undefined);
    assert.deepEqual(
      pod.spec!.volumes!.map((v) => v.name),
      ['tmp'],
    );
  });

  const bad: [string, object, RegExp][] = [
    ['a reserved env name', { env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'x' }] }, /trial\.env\.0\.name: AWS_SECRET_ACCESS_KEY is reserved/],
    ['a reserved label', { podLabels: { 'nasflow.io/search': 'other' } }, /trial\.podLabels\.nasflow\.io\/search: label nasflow\.io\/search is reserved/],
    ['the tmp volume', { volumes: [{ name: 'tmp', emptyDir: {} }] }, /trial\.volumes\.0\.name: volume name tmp is reserved/],
    [
      'a mount over /tmp',
      { volumes: [{ name: 'd', emptyDir: {} }], volumeMounts: [{ name: 'd', mountPath: '/tmp/x' }] },
      /trial\.volumeMounts\.0\.mountPath: \/tmp is reserved/,
    ],
    [
      'a mount of an undefined volume',
      { volumeMounts: [{ name: 'ghost', mountPath: '/data' }] },
      /trial\.volumeMounts\.0\.name: mounts volume ghost, which trial\.volumes does not define/,
    ],
    ['a negative grace period', { terminationGracePeriodSeconds: -1 }, /trial\.terminationGracePeriodSeconds/],
    ['an unknown field', { podLabel: {} }, /trial\.\(root\)|podLabel/],
  ];
  for (const [what, extras, message] of bad) {
    void it(`refuses ${what}, naming the value`, () => assert.throws(() => parseTrialPodExtras(JSON.stringify(extras)), message));
  }
});
