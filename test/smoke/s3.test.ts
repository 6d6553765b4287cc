import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startS3, type Handle } from '../helpers/infra.js';
import type { S3Endpoints } from '../../src/dev/s3.js';

describe('S3 server (real versitygw on loopback) through @aws-sdk/client-s3', () => {
  let s3: Handle<S3Endpoints>;
  let client: S3Client;
  const Bucket = 'nasflow-smoke';

  before(async () => {
    s3 = await startS3();
    client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      // Default checksum mode wraps bodies in aws-chunked encoding that some servers store verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await client.send(new CreateBucketCommand({ Bucket }));
  });

  after(async () => {
    client?.destroy();
    await s3?.stop();
  });

  const getBytes = async (Key: string): Promise<Buffer> => {
    const res = await client.send(new GetObjectCommand({ Bucket, Key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  };

  it('puts, gets, lists and deletes objects byte for byte', async () => {
    const body = randomBytes(1024 * 1024 + 17);
    await client.send(new PutObjectCommand({ Bucket, Key: 'a/one.bin', Body: body }));
    await client.send(new PutObjectCommand({ Bucket, Key: 'a/two.json', Body: '{"x":1}' }));
    await client.send(new PutObjectCommand({ Bucket, Key: 'b/three.txt', Body: 'three' }));
    assert.ok((await getBytes('a/one.bin')).equals(body));

    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'a/' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key).sort(), ['a/one.bin', 'a/two.json']);
    assert.equal(listed.Contents?.find((o) => o.Key === 'a/one.bin')?.Size, body.length);

    await client.send(new DeleteObjectCommand({ Bucket, Key: 'a/one.bin' }));
    await assert.rejects(client.send(new HeadObjectCommand({ Bucket, Key: 'a/one.bin' })), (err: Error) => err.name === 'NotFound');
    const after = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'a/' }));
    assert.deepEqual(
      after.Contents?.map((o) => o.Key),
      ['a/two.json'],
    );
  });

  it('stores a 17 MiB multipart upload intact', async () => {
    const body = randomBytes(17 * 1024 * 1024);
    const upload = new Upload({ client, params: { Bucket, Key: 'big/checkpoint.bin', Body: body }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    let parts = 0;
    upload.on('httpUploadProgress', () => parts++);
    await upload.done();
    assert.ok(parts >= 4, `expected a multipart upload (>= 4 parts), saw ${parts} progress events`);
    const stored = await getBytes('big/checkpoint.bin');
    assert.equal(stored.length, body.length);
    assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(body).digest('hex'));
  });

  it('supports conditional writes: create-if-absent and compare-and-swap on the ETag', async () => {
    const Key = 'state/LATEST';
    await client.send(new PutObjectCommand({ Bucket, Key, Body: 'v1', IfNoneMatch: '*' }));
    await assert.rejects(
      client.send(new PutObjectCommand({ Bucket, Key, Body: 'v1-again', IfNoneMatch: '*' })),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 412,
    );
    const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
    await client.send(new PutObjectCommand({ Bucket, Key, Body: 'v2', IfMatch: head.ETag }));
    // A writer holding the stale ETag loses the race instead of overwriting v2.
    await assert.rejects(
      client.send(new PutObjectCommand({ Bucket, Key, Body: 'stale', IfMatch: head.ETag })),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 412,
    );
    assert.equal((await getBytes(Key)).toString(), 'v2');
  });

  it('rejects requests signed with the wrong secret', async () => {
    const intruder = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    await assert.rejects(
      intruder.send(new ListObjectsV2Command({ Bucket })),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 403,
    );
    intruder.destroy();
  });
});
