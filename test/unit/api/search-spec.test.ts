import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSpecError, parseSearchSpec } from '../../../src/api/search-spec.js';

const valid = {
  name: 'ok',
  algorithm: { evolution: { population: 10 } },
  space: 'nb201',
  evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' },
  budget: { maxTrials: 20 },
  storage: '/tmp/store',
};

describe('search spec validation', () => {
  it('accepts a valid spec and fills the documented defaults', () => {
    const spec = parseSearchSpec(valid);
    assert.equal(spec.budget.parallelism, 1);
    assert.equal(spec.budget.maxFailedTrials, 3);
    assert.equal(spec.budget.trialRetries, 3);
    assert.equal(spec.evaluator.runAs, 'inline');
    assert.equal(spec.seed, 0);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['no algorithm', { algorithm: {} }, 'algorithm', /set exactly one of random, evolution, nasnetRL, mnasnetRL, pnas, ponas; received \{\}/],
    ['two algorithms', { algorithm: { random: {}, pnas: {} } }, 'algorithm', /set exactly one of .*; received \{"random":\{\},"pnas":\{\}\}/],
    [
      'an unknown algorithm',
      { algorithm: { darts: {} } },
      'algorithm.darts',
      /unknown field "darts"; valid fields here: random, evolution, nasnetRL, mnasnetRL, pnas, ponas/,
    ],
    ['a bad name', { name: 'Bad_Name' }, 'name', /DNS label/],
    ['parallelism 0', { budget: { maxTrials: 5, parallelism: 0 } }, 'budget.parallelism', /received 0/],
    ['a benchmark without its table', { evaluator: { type: 'benchmark' } }, 'evaluator.benchmark', /one of nb201-cifar10/],
    ['a benchmark outside nb201', { space: 'nasnet' }, 'space', /needs space nb201/],
    ['training without a dataset', { evaluator: { type: 'train' } }, 'dataset', /required when evaluator\.type is train/],
    [
      'a latency target on the NB201 table without a device',
      { algorithm: { mnasnetRL: { cost: { metric: 'latency', target: 5 } } } },
      'algorithm.mnasnetRL.cost.device',
      /required with the NAS-Bench-201 evaluator and metric latency: a device of .*nb201-hwlatency\.json, e\.g\. pixel3/,
    ],
    [
      'a latency device not in the table',
      { algorithm: { mnasnetRL: { cost: { metric: 'latency', target: 5, device: 'pixel9' } } } },
      'algorithm.mnasnetRL.cost.device',
      /pixel3/,
    ],
    [
      'a latency device with a FLOPs target',
      { algorithm: { mnasnetRL: { cost: { metric: 'flops', target: 40, device: 'pixel3' } } } },
      'algorithm.mnasnetRL.cost.device',
      /only for the NAS-Bench-201 evaluator with metric latency/,
    ],
    ['a zero max duration', { budget: { maxTrials: 5, maxDurationSeconds: 0 } }, 'budget.maxDurationSeconds', />=1/],
    [
      'a PONAS budget outside space ponas',
      { algorithm: { ponas: { budget: 300 } } },
      'algorithm.ponas.budget',
      /cost model of space ponas; use space ponas or remove this field/,
    ],
    ['a PONAS supernet on a benchmark', { algorithm: { ponas: { supernet: {} } } }, 'algorithm.ponas.supernet', /needs space ponas and evaluator\.type train/],
    [
      'storage with an unsupported scheme',
      { storage: 'ftp://host/store' },
      'storage',
      /scheme is not supported; use s3:\/\/bucket\/prefix.*; received "ftp:\/\/host\/store"/,
    ],
    ['storage with a scheme but no //', { storage: 'S3:bucket/x' }, 'storage', /scheme is not supported/],
    ['s3 storage without a bucket', { storage: 's3://' }, 'storage', /expected s3:\/\/<bucket>\/<prefix>/],
    ['s3 storage with a bad bucket name', { storage: 's3://My_Bucket/x' }, 'storage', /bucket name of 3-63 lower-case letters.*received "s3:\/\/My_Bucket\/x"/],
    ['storage under /proc', { storage: '/proc/self/store' }, 'storage', /kernel pseudo-filesystems/],
    ['storage as a file URI under /sys', { storage: 'file:///sys/store' }, 'storage', /kernel pseudo-filesystems/],
    [
      'a 100,000-character storage path',
      { storage: `/tmp/${'x'.repeat(100_000)}` },
      'storage',
      /at most 1024 characters \(S3 keys are at most 1024 bytes\); received "\/tmp\/x+… \(100007 characters\)$/,
    ],
    ['a misspelt recipe field', { trial: { epochz: 3 } }, 'trial.epochz', /unknown field "epochz"; did you mean `epochs`\?/],
    ['a misspelt top-level field', { budgett: { maxTrials: 3 } }, 'budgett', /did you mean `budget`\?/],
    ['a field of the other optimizer', { trial: { optimizer: { type: 'sgd-momentum', rho: 0.9 } } }, 'trial.optimizer.rho', /unknown field "rho"/],
    ['the old macro key N', { macro: { N: 2 } }, 'macro.N', /macro\.N was renamed; use macro\.cellsPerStage/],
    ['the old macro key F', { macro: { F: 16 } }, 'macro.F', /use macro\.filters/],
    ['N as kubectl reads it (false)', { macro: { false: 2 } }, 'macro.false', /reads the old key N as false; N was renamed; use macro\.cellsPerStage/],
    ['an infinite number', { seed: Infinity }, 'seed', /must be a finite number; received Infinity/],
    ['NaN', { budget: { maxTrials: NaN } }, 'budget.maxTrials', /must be a finite number; received NaN/],
    ['maxFailedTrials above maxTrials', { budget: { maxTrials: 5, maxFailedTrials: 6 } }, 'budget.maxFailedTrials', /must not exceed budget\.maxTrials/],
    ['a 100,000-character name', { name: 'a'.repeat(100_000) }, 'name', /received "a+… \(100002 characters\)$/],
    [
      'a supernet candidate out of range',
      { space: 'ponas', evaluator: { type: 'train' }, dataset: '/d', algorithm: { ponas: { supernet: { candidates: [0, 12] } } } },
      'algorithm.ponas.supernet.candidates.1',
      /<=11/,
    ],
  ];
  it('accepts a latency target on the NB201 table for a named device', () => {
    const spec = parseSearchSpec({ ...valid, algorithm: { mnasnetRL: { cost: { metric: 'latency', target: 10, device: 'pixel3', constraint: 'hard' } } } });
    assert.equal(spec.algorithm.mnasnetRL?.cost.device, 'pixel3');
  });

  it('accepts every macro field and the full recipe', () => {
    const macro = {
      cellsPerStage: 2,
      filters: 16,
      classes: 10,
      stem: 'cifar',
      stemMultiplier: 3,
      skipReductionLayerInput: true,
      auxHead: true,
      denseDropoutKeepProb: 0.5,
      numReductionLayers: 2,
      stemFilters: 32,
      headFilters: 1280,
      dropout: 0.2,
      activation: 'relu6',
      seRule: 'expanded',
    };
    assert.deepEqual(parseSearchSpec({ ...valid, macro }).macro, macro);
    const spec = parseSearchSpec({ ...valid, trial: { epochs: 3, optimizer: { type: 'rmsprop' } } });
    assert.deepEqual(spec.trial.optimizer, { type: 'rmsprop', rho: 0.9, momentum: 0.9, epsilon: 1e-3 });
    assert.equal(spec.trial.batchSize, 32, 'recipe defaults are filled');
  });

  for (const storage of ['s3://bucket/prefix', 'file:///var/nasflow', '/var/nasflow', 'relative/store', './a:b']) {
    it(`accepts storage ${storage}`, () => {
      assert.equal(parseSearchSpec({ ...valid, storage }).storage, storage);
    });
  }

  for (const [title, patch, field, message] of cases) {
    it(`rejects ${title}, naming ${field}`, () => {
      assert.throws(
        () => parseSearchSpec({ ...valid, ...patch }),
        (err: unknown) => {
          assert.ok(isSpecError(err));
          assert.equal(err.field, field);
          assert.match(err.message, message);
          assert.ok(err.message.length < 600, `the message stays short (${err.message.length} characters)`);
          return true;
        },
      );
    });
  }
});
