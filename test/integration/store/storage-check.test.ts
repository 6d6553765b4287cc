/**
 * checkStorage against a real S3 server (versitygw): what the user must fix (a missing bucket,
 * wrong credentials) is a StorageError; a server that cannot be reached is not (it may come back,
 * so the activity retries it); a usable bucket passes and keeps exactly the objects it held.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { checkStorage, isStorageError } from '../../../src/store/storage-check.js';
import type { S3Env } from '../../../src/store/s3-store.js';
import { openPrefix } from '../../../src/store/uri.js';
import { startS3Bucket, type S3Bucket } from '../../helpers/infra.js';
import { freePort } from '../../../src/dev/ports.js';

void describe('checkStorage on a real S3 server', () => {
  let s3: S3Bucket;
  const Bucket = 'probe';
  const opener = (env: S3Env) => (uri: string) => openPrefix(uri, env).store;

  before(async () => {
    s3 = await startS3Bucket(Bucket);
    await s3.client.send(new PutObjectCommand({ Bucket, Key: 'runs/searches/old/spec.json', Body: '{}' }));
  });
  after(() => s3?.stop());

  it('passes on a bucket and prefix, leaving exactly the objects that were there', async () => {
    await checkStorage(`s3://${Bucket}/runs`, opener(s3.env));
    await checkStorage(`s3://${Bucket}`, opener(s3.env));
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket }));
    assert.deepEqual(
      (listed.Contents ?? []).map((o) => o.Key),
      ['runs/searches/old/spec.json'],
    );
  });

  it('a missing bucket is a StorageError that says to create it', async () => {
    await assert.rejects(checkStorage('s3://no-such-bucket/runs', opener(s3.env)), (err: unknown) => {
      assert.ok(isStorageError(err), String(err));
      assert.match(err.message, /^spec\.storage "s3:\/\/no-such-bucket\/runs": cannot write a probe object \(NoSuchBucket\); create the bucket/);
      return true;
    });
  });

  it('a wrong secret key is a StorageError that names the credentials', async () => {
    await assert.rejects(checkStorage(`s3://${Bucket}/runs`, opener({ ...s3.env, AWS_SECRET_ACCESS_KEY: 'wrong' })), (err: unknown) => {
      assert.ok(isStorageError(err), String(err));
      assert.match(err.message, /AWS_SECRET_ACCESS_KEY|credentials|HTTP 403/);
      return true;
    });
  });

  it('an unreachable endpoint is not a StorageError: the activity retries it', async () => {
    const port = await freePort();
    await assert.rejects(checkStorage(`s3://${Bucket}/runs`, opener({ ...s3.env, NASFLOW_S3_ENDPOINT: `http://127.0.0.1:${port}` })), (err: unknown) => {
      assert.ok(!isStorageError(err), `retryable, got ${String(err)}`);
      return true;
    });
  });
});
