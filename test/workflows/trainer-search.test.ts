import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { startS3Bucket, type S3Bucket } from '../helpers/infra.js';
import { makeSearch } from '../helpers/search-builder.js';
import { startSearchHarness, type SearchHarness } from './search-harness.js';
import { at } from '../../src/common/indexing.js';

describe('a search that really trains, with state, data and results on a real S3 server', () => {
  let bucket: S3Bucket;
  let h: SearchHarness;
  let env: NodeJS.ProcessEnv;
  let client: S3Client;

  before(async () => {
    bucket = await startS3Bucket('nas');
    env = { ...process.env, ...bucket.env };
    client = bucket.client;
    const synth = spawnSync(
      process.execPath,
      [CLI_ENTRY, 'dataset', 'synth', '--out', 's3://nas/data/synth', '--train', '400', '--test', '100', '--seed', '3'],
      { env, encoding: 'utf8' },
    );
    assert.equal(synth.status, 0, synth.stderr);
    h = await startSearchHarness('train-s3');
    await h.startWorker({ env, maxLocalTrials: 2 });
  });
  after(async () => {
    await h?.stop();
    await bucket?.stop();
  });

  it('runs exactly maxTrials trainer processes and records their results in S3', async () => {
    const spec = makeSearch('trained', 's3://nas/searches')
      .set('space', 'nasnet')
      .set('macro', { cellsPerStage: 1, filters: 4, classes: 10 })
      .set('evaluator', { type: 'train' })
      .set('dataset', 's3://nas/data/synth')
      .set('trial', { epochs: 2, batchSize: 32, imageSize: 8, valFraction: 0.2, checkpointEverySteps: 5 })
      .budget({ maxTrials: 3, parallelism: 2, maxFailedTrials: 0 })
      .obj();
    const searchId = localSearchId('trained', 't1');
    const result = await (await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue })).result();
    assert.equal(result.phase, 'Succeeded');
    assert.equal(result.progress.counts.succeeded, 3);
    assert.equal(result.progress.counts.failed, 0);
    // Ten classes: chance is 10 %. Random architectures differ, but the best one learns.
    const best = at(result.leaderboard, 0);
    assert.ok(best.accuracy > 25, `best trial learned: ${best.accuracy}%`);

    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'nas', Prefix: `searches/searches/${searchId}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    const results = keys.filter((k) => k.endsWith('/result.json'));
    assert.equal(results.length, 3, keys.join('\n'));
    assert.ok(
      keys.some((k) => /\/state\/\d+\.json$/.test(k)),
      'algorithm state versions are stored',
    );
    assert.ok(
      keys.some((k) => k.includes('/checkpoints/')),
      'trainers checkpointed to S3',
    );
    // Each trial's output is kept next to its result, where the trial's own process wrote it.
    const logs = keys.filter((k) => k.endsWith('/logs/attempt-1.log'));
    assert.equal(logs.length, 3, keys.join('\n'));
    const log = await (await client.send(new GetObjectCommand({ Bucket: 'nas', Key: logs[0] }))).Body!.transformToString();
    assert.match(log, /training nasnet \(\d+ params\)/);
    const first = JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: 'nas', Key: results[0] }))).Body!.transformToString()) as {
      valAccuracy: number;
      backend: string;
    };
    assert.ok(first.valAccuracy > 0.1);
    console.log(`trained search: backend ${first.backend}; accuracies ${result.leaderboard.map((e) => e.accuracy.toFixed(1)).join(', ')}`);
  });

  it('MnasNet with a latency target: every trial measures its latency and the reward uses it (mnasnet space)', async () => {
    const spec = makeSearch('latency', 's3://nas/searches')
      .set('space', 'mnasnet')
      .set('macro', { cellsPerStage: 1, filters: 4, classes: 10 })
      .set('evaluator', { type: 'train' })
      .set('dataset', 's3://nas/data/synth')
      .set('trial', { epochs: 1, batchSize: 32, imageSize: 8, valFraction: 0.2, checkpointEverySteps: 5 })
      .algorithm({ mnasnetRL: { batchSize: 2, hidden: 8, cost: { metric: 'latency', target: 5, constraint: 'hard' } } })
      .budget({ maxTrials: 2, parallelism: 2, maxFailedTrials: 0 })
      .obj();
    const searchId = localSearchId('latency', 'l1');
    // A trained result without a cost fails the controller's observe step (the MnasNet reward needs one).
    const result = await (await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue })).result();
    assert.equal(result.phase, 'Succeeded');
    assert.equal(result.progress.counts.succeeded, 2);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'nas', Prefix: `searches/searches/${searchId}/` }));
    const results = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('/result.json'));
    assert.equal(results.length, 2);
    for (const key of results) {
      const r = JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: 'nas', Key: key }))).Body!.transformToString()) as {
        latency?: { backend: string; device: { kind: string }; batches: { batch: number; medianMs: number; p90Ms: number }[] };
      };
      assert.ok(r.latency, `${key} carries the measured latency`);
      assert.deepEqual(
        r.latency.batches.map((b) => b.batch),
        [1, 32],
      );
      const single = at(r.latency.batches, 0);
      assert.ok(single.medianMs > 0 && single.p90Ms >= single.medianMs);
    }
  });

  it('latency on a separate device pool: a latency step after each training measures, and the reward uses its figure', async () => {
    const spec = makeSearch('latency-pool', 's3://nas/searches')
      .set('space', 'mnasnet')
      .set('macro', { cellsPerStage: 1, filters: 4, classes: 10 })
      .set('evaluator', { type: 'train' })
      .set('dataset', 's3://nas/data/synth')
      .set('trial', { epochs: 1, batchSize: 16, imageSize: 8, valFraction: 0.2, checkpointEverySteps: 5 })
      .set('latency', { device: 'pool', warmup: 2, runs: 7 })
      .algorithm({ mnasnetRL: { batchSize: 2, hidden: 8, cost: { metric: 'latency', target: 5, constraint: 'hard' } } })
      .budget({ maxTrials: 2, parallelism: 2, maxFailedTrials: 0 })
      .obj();
    const searchId = localSearchId('latency-pool', 'p1');
    // Without the step's figure the controller's observe step fails (the reward needs a latency), so success proves the order.
    const result = await (await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue })).result();
    assert.equal(result.phase, 'Succeeded');
    assert.equal(result.progress.counts.succeeded, 2);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'nas', Prefix: `searches/searches/${searchId}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    const results = keys.filter((k) => k.endsWith('/result.json'));
    assert.equal(results.length, 2, keys.join('\n'));
    for (const key of results) {
      const r = JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: 'nas', Key: key }))).Body!.transformToString()) as {
        latency?: { measuredBy?: string; host?: string; warmup: number; runs: number; batches: { batch: number; medianMs: number }[] };
      };
      assert.equal(r.latency?.measuredBy, 'latency-step', `${key}: measured by the latency step`);
      assert.equal(r.latency.runs, 7);
      assert.equal(r.latency.warmup, 2);
      assert.ok(r.latency.host, 'the measuring host is recorded');
      assert.deepEqual(
        r.latency.batches.map((b) => b.batch),
        [1, 16],
      );
      assert.ok(at(r.latency.batches, 0).medianMs > 0);
    }
    // The attempt's log holds both processes' output: the trainer left the measurement to the step.
    const logs = keys.filter((k) => k.endsWith('/logs/attempt-1.log'));
    assert.equal(logs.length, 2, keys.join('\n'));
    for (const key of logs) {
      const log = await (await client.send(new GetObjectCommand({ Bucket: 'nas', Key: key }))).Body!.transformToString();
      assert.match(log, /measured by the separate latency step/);
      assert.match(log, /--- latency step ---[\s\S]*inference latency on tensorflow/);
    }
  });
});
