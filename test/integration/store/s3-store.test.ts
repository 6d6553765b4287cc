import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { startS3Bucket, type S3Bucket } from '../../helpers/infra.js';
import { S3Store, type S3Env } from '../../../src/store/s3-store.js';
import { openPrefix, openUri } from '../../../src/store/uri.js';
import { ObjectNotFoundError } from '../../../src/store/object-store.js';
import { objectStoreConformance } from '../../unit/store/conformance.js';

let bucket: S3Bucket;
let client: S3Client;
let env: S3Env;
const Bucket = 'nasflow-store-it';

before(async () => {
  bucket = await startS3Bucket(Bucket);
  ({ client, env } = bucket);
});

after(() => bucket?.stop());

let n = 0;
// Each conformance case gets a fresh prefix in the one bucket.
objectStoreConformance('S3 (versitygw on loopback)', () => openPrefix(`s3://${Bucket}/conf-${n++}`, env).store, {
  raceBytes: 2 * 1024 * 1024,
});

void describe('S3Store specifics', () => {
  void it('round-trips a multipart-sized object (above the 16 MiB threshold) byte for byte', async () => {
    const store = new S3Store(client, Bucket);
    const data = new Uint8Array(randomBytes(17 * 1024 * 1024 + 13));
    await store.put('big/blob.bin', data);
    const back = await store.get('big/blob.bin');
    assert.equal(back.byteLength, data.byteLength);
    assert.ok(Buffer.from(back).equals(Buffer.from(data)));
  });

  void it('lists more than one page (1000 keys) of results', async () => {
    const store = new S3Store(client, Bucket);
    const keys = Array.from({ length: 1003 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, 'x')));
    assert.deepEqual(await store.list('many/'), keys);
  });

  void it('opens s3:// URIs with the environment and names the URI of a missing object', async () => {
    const opened = openUri(`s3://${Bucket}/searches/s1/trials/t1/spec.json`, env);
    try {
      await assert.rejects(
        opened.store.get(opened.key),
        (err: unknown) => err instanceof ObjectNotFoundError && err.uri === `s3://${Bucket}/searches/s1/trials/t1/spec.json`,
      );
    } finally {
      opened.close();
    }
  });
});
