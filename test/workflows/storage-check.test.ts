/**
 * Unusable storage fails a search at once (issue 12), through a real Temporal dev server, a real
 * worker and a real S3 server (versitygw): a missing bucket, s3:// without a bucket, ftp://, a path
 * under /proc and a 100,000-character path each end the search with a StorageError naming
 * spec.storage, after a single initSearch attempt (no retry loop). Specs reach the workflow
 * unvalidated here, as from an older client, so the worker's own check is what is tested. Objects
 * already in the store survive, and a good S3 storage keeps no probe object behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import type { SearchSpec } from '../../src/api/search-spec.js';
import { startS3Bucket, type S3Bucket } from '../helpers/infra.js';
import { makeSearch } from '../helpers/search-builder.js';
import { startSearchHarness, type SearchHarness } from './search-harness.js';
import { at } from '../../src/common/indexing.js';

const BUCKET = 'nasflow';
const KEPT_KEY = 'searches/local/earlier/x1/spec.json';

/** The failures in an error's cause chain (workflow failure → activity failure → application failure). */
function causes(err: unknown): Error[] {
  const out: Error[] = [];
  for (let e = err as Error | undefined; e instanceof Error; e = e.cause as Error | undefined) out.push(e);
  return out;
}

/**
 * Rejects once the workflow's initSearch is on its third attempt: the retry loop this test guards
 * against, reported as a failure instead of a hang until the test's time limit.
 */
async function retryLoopOf(handle: Awaited<ReturnType<typeof startSearch>>, watch: { done: boolean }): Promise<void> {
  while (!watch.done) {
    const pending = await handle.describe().then(
      (d) => d.raw.pendingActivities ?? [],
      () => [],
    );
    const retried = pending.find((a) => a.activityType?.name === 'initSearch' && (a.attempt ?? 1) >= 3);
    if (retried) throw new Error(`initSearch is retrying (attempt ${retried.attempt}): ${retried.lastFailure?.message ?? ''}`);
    await sleep(500);
  }
}

void describe('a search with unusable storage fails at once, naming storage', () => {
  let h: SearchHarness;
  let s3: S3Bucket;
  let keptFile: string;

  before(async () => {
    s3 = await startS3Bucket(BUCKET);
    h = await startSearchHarness('storage-check');
    await h.startWorker({ env: { ...process.env, ...s3.env } });
    // What earlier searches stored: nothing below may be lost.
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEPT_KEY, Body: '{"kept":true}' }));
    keptFile = join(h.storage, 'searches', 'local', 'earlier', 'x1', 'spec.json');
    mkdirSync(join(keptFile, '..'), { recursive: true });
    writeFileSync(keptFile, '{"kept":true}');
  });

  after(async () => {
    await h?.stop();
    await s3?.stop();
  });

  /** A valid tiny spec whose storage is then replaced, as a client that skips validation would send it. */
  const specWith = (name: string, storage: string): SearchSpec => ({ ...makeSearch(name, h.storage).trials(2, 1).obj(), storage });

  const cases: [string, () => string, RegExp][] = [
    ['a missing bucket', () => 's3://no-such-bucket/searches', /NoSuchBucket.*create the bucket/],
    ['s3:// without a bucket', () => 's3://', /expected a bucket name/],
    ['an ftp:// URI', () => 'ftp://files.example/store', /received ftp:\/\//],
    ['a path under /proc', () => '/proc/nasflow-store', /kernel pseudo-filesystem/],
    ['a 100,000-character path', () => join(h.storage, 'x'.repeat(100_000)), /100\d{3} characters long; use a URI of at most 1024 characters/],
  ];
  for (const [i, [title, storage, message]] of cases.entries()) {
    // The limit turns a stuck first attempt (before the check, a put under /proc hung) into a failure.
    it(`${title}: fails with StorageError after one initSearch attempt`, { timeout: 180_000 }, async () => {
      const name = `bad-storage-${i}`;
      const handle = await startSearch(h.client, specWith(name, storage()), { searchId: localSearchId(name, 's1'), taskQueue: h.taskQueue });
      const watch = { done: false };
      const err = await Promise.race([handle.result(), retryLoopOf(handle, watch)]).then(
        () => undefined,
        (e: unknown) => e,
      );
      watch.done = true;
      assert.ok(err instanceof WorkflowFailedError, `the search failed: ${String(err)}`);
      const failure = causes(err).find((e): e is ApplicationFailure => e instanceof ApplicationFailure && e.type === 'StorageError');
      assert.ok(
        failure,
        `a StorageError in ${causes(err)
          .map((e) => e.message)
          .join(' <- ')}`,
      );
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /spec\.storage "/);
      assert.match(failure.message, message);
      assert.ok(failure.message.length < 600, `a short message (${failure.message.length} characters)`);
      // Failed at once: initSearch started exactly once, no retry loop.
      const history = await handle.fetchHistory();
      const starts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
      assert.equal(starts.length, 1, 'one activity attempt');
      assert.equal(at(starts, 0).activityTaskStartedEventAttributes!.attempt, 1);
    });
  }

  it('a good S3 storage passes the probe, the search runs, and no probe object is left', async () => {
    const name = 'good-storage';
    const searchId = localSearchId(name, 's1');
    const handle = await startSearch(h.client, specWith(name, `s3://${BUCKET}/runs`), { searchId, taskQueue: h.taskQueue });
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded');
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    assert.ok(
      keys.some((k) => k.startsWith(`runs/searches/${searchId}/`)),
      'the search wrote under its prefix',
    );
    assert.deepEqual(
      keys.filter((k) => k.includes('.nasflow-probe-')),
      [],
      'no probe object left behind',
    );
  });

  it('nothing already stored was lost', async () => {
    const kept = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEPT_KEY }));
    assert.equal(await kept.Body!.transformToString(), '{"kept":true}');
    assert.equal(readFileSync(keptFile, 'utf8'), '{"kept":true}');
  });
});
