import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { InvalidUriError, parentUri, parseStoreUri, openUri } from '../../../src/store/uri.js';
import { LocalStore } from '../../../src/store/local-store.js';
import { S3Store } from '../../../src/store/s3-store.js';
import * as layout from '../../../src/api/store-layout.js';

void describe('store URIs', () => {
  const cases: [string, ReturnType<typeof parseStoreUri>][] = [
    ['s3://bucket/a/b/', { kind: 's3', bucket: 'bucket', key: 'a/b' }],
    ['s3://my.bucket-1', { kind: 's3', bucket: 'my.bucket-1', key: '' }],
    ['file:///tmp/x/spec.json', { kind: 'file', path: '/tmp/x/spec.json' }],
    ['/abs/path', { kind: 'file', path: '/abs/path' }],
    ['rel/path', { kind: 'file', path: resolve('rel/path') }],
  ];
  for (const [uri, expected] of cases) {
    void it(`parses ${uri}`, () => assert.deepEqual(parseStoreUri(uri), expected));
  }

  for (const bad of ['http://host/x', 's3://UPPER/x', 's3://', '']) {
    void it(`rejects ${JSON.stringify(bad)} naming the URI`, () => {
      assert.throws(
        () => parseStoreUri(bad),
        (err: unknown) => err instanceof InvalidUriError && err.message.includes(JSON.stringify(bad)),
      );
    });
  }

  void it('opens the matching implementation', () => {
    const s3 = openUri('s3://bkt/p/q', { NASFLOW_S3_ENDPOINT: 'http://127.0.0.1:1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    assert.ok(s3.store instanceof S3Store);
    assert.equal(s3.key, 'p/q');
    s3.close();
    const local = openUri('file:///tmp/q', {});
    assert.ok(local.store instanceof LocalStore);
    assert.equal(local.key, 'tmp/q');
  });

  void it('finds the parent of an object URI', () => {
    assert.equal(parentUri('s3://bkt/searches/s/trials/t/spec.json'), 's3://bkt/searches/s/trials/t');
    assert.equal(parentUri('/x/y/spec.json'), '/x/y');
  });
});

void describe('key layout', () => {
  void it('follows docs/design.md', () => {
    assert.equal(layout.trialSpecKey('s1', 's1/0/3'), 'searches/s1/trials/s1/0/3/spec.json');
    assert.equal(layout.trialResultKey('s1', 't'), 'searches/s1/trials/t/result.json');
    assert.equal(layout.stateKey('s1', 4), 'searches/s1/state/4.json');
    assert.equal(layout.stateWeightsKey('s1', 4), 'searches/s1/state/4.weights.bin');
    assert.equal(layout.tableKey('s1', 'accuracy'), 'searches/s1/tables/accuracy.json');
    assert.equal(layout.checkpointStateKey(12), 'checkpoints/0000000012/state.json');
    assert.equal(layout.checkpointStepOf('checkpoints/0000000012/weights.bin'), 12);
    assert.equal(layout.checkpointStepOf(layout.CHECKPOINT_LATEST), undefined);
  });
  void it('rejects ids that would escape the layout', () => {
    assert.throws(() => layout.trialPrefix('s1', '../other'), /invalid object key/);
  });
});
