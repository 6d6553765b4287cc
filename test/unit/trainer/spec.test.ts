import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrialSpec, trainingHash } from '../../../src/trainer/spec.js';
import { BadSpecError } from '../../../src/trainer/errors.js';

const EXAMPLE = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'trial-tiny.json'), 'utf8')) as Record<string, unknown>;
const minimal = { schemaVersion: 1, space: 'nasnet', genotype: {}, macro: { classes: 10 } };

void describe('trial spec schema', () => {
  void it('accepts examples/trial-tiny.json', () => {
    const spec = parseTrialSpec(EXAMPLE);
    assert.equal(spec.space, 'nasnet');
    assert.equal(spec.recipe.optimizer.type, 'sgd-momentum');
  });

  void it('fills documented defaults', () => {
    const spec = parseTrialSpec(minimal);
    assert.equal(spec.seed, 0);
    assert.equal(spec.recipe.batchSize, 32);
    assert.equal(spec.recipe.lr.schedule, 'cosine');
    assert.equal(spec.recipe.gradClipNorm, 5);
    assert.deepEqual(spec.recipe.augment, { padCrop: 4, flip: true, cutout: 0 });
    assert.deepEqual(spec.recipe.optimizer, { type: 'sgd-momentum', momentum: 0.9, nesterov: false });
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown schema version', { ...minimal, schemaVersion: 2 }, /#schemaVersion: .*received 2/],
    ['a missing space', { ...minimal, space: undefined }, /#space: .*received nothing/],
    ['an unknown optimizer', { ...minimal, recipe: { optimizer: { type: 'adam' } } }, /#recipe\.optimizer\.type/],
    ['an unknown schedule', { ...minimal, recipe: { lr: { schedule: 'step' } } }, /#recipe\.lr\.schedule: .*received "step"/],
    ['a non-divisor image size', { ...minimal, recipe: { imageSize: 12 } }, /#recipe\.imageSize/],
    ['label smoothing of 1', { ...minimal, recipe: { labelSmoothing: 1 } }, /#recipe\.labelSmoothing/],
    ['one class', { ...minimal, macro: { classes: 1 } }, /#macro\.classes/],
  ];
  for (const [what, json, re] of bad) {
    void it(`rejects ${what}, naming the source and field`, () => {
      assert.throws(
        () => parseTrialSpec(json, 's3://b/spec.json'),
        (err: unknown) => err instanceof BadSpecError && /^s3:\/\/b\/spec\.json#/.test(err.message) && re.test(err.message),
      );
    });
  }

  void it('hashes training-relevant fields only', () => {
    const a = parseTrialSpec({ ...minimal, dataset: 's3://a/x' });
    const b = parseTrialSpec({ ...minimal, dataset: 's3://b/y', output: '/tmp/o' });
    const c = parseTrialSpec({ ...minimal, seed: 1 });
    assert.equal(trainingHash(a), trainingHash(b));
    assert.notEqual(trainingHash(a), trainingHash(c));
  });
});
