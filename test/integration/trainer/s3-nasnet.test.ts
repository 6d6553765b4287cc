/**
 * End to end on a real S3 server: `nasflow dataset synth` writes CIFAR-format data to S3, a
 * NASNet child spec sits at its docs/design.md key, `nasflow train --spec s3://...` trains it for 2
 * epochs through the real reader and writes checkpoints and result.json next to the spec.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startS3Bucket, type S3Bucket } from '../../helpers/infra.js';
import { S3Store } from '../../../src/store/s3-store.js';
import { getJson, putJson } from '../../../src/store/object-store.js';
import * as layout from '../../../src/api/store-layout.js';
import { trainedResultSchema } from '../../../src/api/trial-result.js';
import { NASFLOW_BIN, lastJsonLine, startNode } from './process-helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'trial-tiny.json');
const Bucket = 'nasflow-trainer-it';

void describe('NASNet child trained from a real S3 server', () => {
  let bucket: S3Bucket;
  let client: S3Client;
  let env: Record<string, string>;
  before(async () => {
    bucket = await startS3Bucket(Bucket);
    ({ client, env } = bucket);
  });
  after(() => bucket?.stop());

  void it('reaches validation accuracy well above chance in 2 epochs; result.json validates', async (t) => {
    const synth = startNode(
      NASFLOW_BIN,
      ['dataset', 'synth', '--out', `s3://${Bucket}/datasets/synth4`, '--classes', '4', '--train', '300', '--test', '60', '--seed', '4'],
      env,
    );
    assert.equal((await synth.exited).code, 0, synth.stderr());

    const store = new S3Store(client, Bucket);
    const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
    const spec = {
      ...example,
      macro: { stem: 'cifar', cellsPerStage: 1, filters: 4, classes: 4 },
      dataset: `s3://${Bucket}/datasets/synth4`,
      trialId: 's1/0/0',
    };
    const specKey = layout.trialSpecKey('s1', 's1/0/0');
    await putJson(store, specKey, spec);

    // The fastest backend that loads here (native when provisioned, else pure JS), as in a trial pod.
    const run = startNode(NASFLOW_BIN, ['train', '--spec', `s3://${Bucket}/${specKey}`], { ...env, NASFLOW_TF_BACKEND: '' });
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr());
    const printed = lastJsonLine(run.stdout());
    const stored = trainedResultSchema.parse(await getJson(store, layout.trialResultKey('s1', 's1/0/0')));
    assert.deepEqual(stored, printed);
    t.diagnostic(
      `val accuracy ${stored.valAccuracy} (chance 0.25), test accuracy ${stored.testAccuracy}, ${stored.params} params, ${stored.imagesPerSecond.toFixed(1)} img/s on ${stored.backend}, epochs ${JSON.stringify(stored.epochs.map((e) => [e.trainLoss.toFixed(3), e.valAccuracy]))}`,
    );
    assert.equal(stored.epochs.length, 2);
    assert.ok(stored.valAccuracy >= 0.5, `val accuracy ${stored.valAccuracy} is not well above chance (0.25)`);
    assert.equal(stored.resumedFrom, null);
    assert.ok(stored.params > 1000 && (stored.multAdds ?? 0) > 0);

    const prefix = layout.trialPrefix('s1', 's1/0/0');
    const latest = new TextDecoder().decode(await store.get(`${prefix}/${layout.CHECKPOINT_LATEST}`)).trim();
    assert.equal(Number(latest), stored.steps, 'the last checkpoint is the final epoch end');
    assert.ok(await store.exists(`${prefix}/${layout.checkpointWeightsKey(stored.steps)}`));
  });
});
