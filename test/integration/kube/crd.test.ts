/**
 * The generated CRD on a real kube-apiserver: the examples are accepted (with defaults applied),
 * invalid resources are rejected by the schema or its CEL rules with the field named, the spec is
 * immutable except for budget.parallelism, budget.maxTrials and suspend, and `kubectl explain`
 * shows the field descriptions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, startCrdApiserver, type CrdApiserver } from './crd-apiserver.js';
import { makeResource } from './resource-builder.js';

const EXAMPLES = ['nasnet-cifar10', 'pnas-cifar10', 'mnasnet-latency', 'ponas', 'nb201-evolution'];

void describe('NeuralArchitectureSearch CRD on a real apiserver', () => {
  let api: CrdApiserver;
  const kubectl = (args: string[], input?: string): { code: number; out: string } => api.kubectl(args, input);
  const apply = (obj: unknown): { code: number; out: string } => kubectl(['apply', '-f', '-'], stringify(obj));

  before(async () => {
    api = await startCrdApiserver();
  });

  after(async () => {
    await api?.stop();
  });

  for (const name of EXAMPLES) {
    void it(`accepts k8s/examples/${name}.yaml and applies defaults`, () => {
      const r = kubectl(['apply', '-f', join(REPO_ROOT, 'k8s', 'examples', `${name}.yaml`)]);
      assert.equal(r.code, 0, r.out);
      const got = parse(kubectl(['get', 'nas', name, '-o', 'yaml']).out) as {
        spec: { suspend: boolean; budget: { trialRetries: number }; template: { ttlSecondsAfterFinished: number } };
      };
      assert.equal(got.spec.suspend, false);
      assert.equal(got.spec.budget.trialRetries, 3);
      assert.equal(got.spec.template.ttlSecondsAfterFinished, 3600);
    });
  }

  const invalid: [string, unknown, RegExp][] = [
    ['an unknown algorithm', makeResource('bad-algo').set('algorithm', { darts: {} }).obj(), /unknown field "spec\.algorithm\.darts"/],
    [
      'two algorithms',
      makeResource('two-algo').set('algorithm', { random: {}, evolution: {} }).obj(),
      /spec\.algorithm: Invalid value: "object": set exactly one/,
    ],
    [
      'parallelism 0',
      makeResource('par-zero').budget({ parallelism: 0 }).obj(),
      /spec\.budget\.parallelism: Invalid value: 0: spec\.budget\.parallelism in body should be greater than or equal to 1/,
    ],
    [
      'maxFailedTrials above maxTrials',
      makeResource('too-many-failures').budget({ maxTrials: 5, maxFailedTrials: 6 }).obj(),
      /spec\.budget\.maxFailedTrials: Invalid value: .*must not exceed budget\.maxTrials/,
    ],
    ['missing storage', makeResource('no-storage').unset('storage').obj(), /spec\.storage: Required value/],
    [
      'a benchmark evaluator without its table',
      makeResource('no-table').set('evaluator', { type: 'benchmark' }).obj(),
      /spec\.evaluator\.benchmark: Required value: required when evaluator\.type is benchmark/,
    ],
    [
      'a train evaluator without a dataset',
      makeResource('no-data').set('evaluator', { type: 'train' }).set('space', 'nasnet').obj(),
      /spec\.dataset: Required value/,
    ],
    ['a name too long for Job names', makeResource('a'.repeat(41)).obj(), /metadata\.name must be a DNS label of at most 40 characters/],
  ];
  for (const [what, obj, message] of invalid) {
    void it(`rejects ${what}, naming the field`, () => {
      const r = apply(obj);
      assert.notEqual(r.code, 0, `accepted: ${r.out}`);
      assert.match(r.out, message);
    });
  }

  void it('accepts a two-trial search with the default maxFailedTrials (3)', () => {
    const r = apply(makeResource('two-trials').budget({ maxTrials: 2 }).obj());
    assert.equal(r.code, 0, r.out);
  });

  void it('lets budget.parallelism, budget.maxTrials and suspend change, and nothing else', () => {
    const base = makeResource('mutable').obj();
    assert.equal(apply(base).code, 0);
    const ok = makeResource('mutable').budget({ parallelism: 5, maxTrials: 40 }).set('suspend', true).obj();
    const r = apply(ok);
    assert.equal(r.code, 0, r.out);
    for (const [field, edit, pattern] of [
      [
        'seed',
        makeResource('mutable').budget({ parallelism: 5, maxTrials: 40 }).set('suspend', true).set('seed', 9).obj(),
        /spec\.seed: Forbidden: spec\.seed is immutable/,
      ],
      [
        'algorithm',
        makeResource('mutable').budget({ parallelism: 5, maxTrials: 40 }).set('suspend', true).set('algorithm', { evolution: {} }).obj(),
        /spec\.algorithm: Forbidden: spec\.algorithm is immutable/,
      ],
      [
        'template',
        makeResource('mutable').budget({ parallelism: 5, maxTrials: 40 }).set('suspend', true).set('template', { image: 'other:1' }).obj(),
        /spec\.template: Forbidden: spec\.template is immutable/,
      ],
      [
        'trial',
        makeResource('mutable').budget({ parallelism: 5, maxTrials: 40 }).set('suspend', true).set('trial', { epochs: 9 }).obj(),
        /spec\.trial: Forbidden: spec\.trial is immutable/,
      ],
    ] as const) {
      const e = apply(edit);
      assert.notEqual(e.code, 0, `${field} edit accepted`);
      assert.match(e.out, pattern);
    }
  });

  void it('documents every field for kubectl explain', () => {
    const r = kubectl(['explain', 'nas.spec.budget.parallelism']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Trials \(Jobs\) in flight at once/);
    const t = kubectl(['explain', 'nas.spec.template.resources']);
    assert.match(t.out, /nvidia\.com\/gpu/);
    const s = kubectl(['explain', 'nas.status.best.accuracy']);
    assert.match(s.out, /decimal string/);
  });

  void it('shows algorithm, phase, trials and best accuracy as printer columns', () => {
    const r = kubectl(['get', 'nas', 'nb201-evolution']);
    assert.match(r.out.split('\n')[0]!, /NAME\s+ALGORITHM\s+PHASE\s+DONE\s+TOTAL\s+BEST\s+AGE/);
  });
});
