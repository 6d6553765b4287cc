/**
 * The ObjectStore contract as one suite that every implementation runs (local directory in the
 * unit layer, S3 against a real server in the integration layer).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { InvalidKeyError, ObjectNotFoundError, getJson, putJson, withPrefix, type ObjectStore } from '../../../src/store/object-store.js';

export interface ConformanceOptions {
  /** Size of the objects raced in the atomicity test. Default: 4 MiB */
  raceBytes?: number;
}

export function objectStoreConformance(name: string, makeStore: () => ObjectStore, opts: ConformanceOptions = {}): void {
  void describe(`ObjectStore conformance: ${name}`, () => {
    void it('round-trips random bytes byte for byte, including an empty object', async () => {
      const store = makeStore();
      const data = new Uint8Array(randomBytes(300_001));
      await store.put('a/b/blob.bin', data);
      assert.deepEqual(await store.get('a/b/blob.bin'), data);
      await store.put('empty', new Uint8Array(0));
      assert.equal((await store.get('empty')).byteLength, 0);
    });

    void it('overwrites an existing key with the new bytes', async () => {
      const store = makeStore();
      await store.put('over.txt', 'first version, longer');
      await store.put('over.txt', 'second');
      assert.equal(new TextDecoder().decode(await store.get('over.txt')), 'second');
    });

    void it('reports missing keys: get throws ObjectNotFoundError, exists is false, delete is a no-op', async () => {
      const store = makeStore();
      await assert.rejects(store.get('missing/key'), ObjectNotFoundError);
      assert.equal(await store.exists('missing/key'), false);
      await store.delete('missing/key');
      await store.put('present', 'x');
      assert.equal(await store.exists('present'), true);
      await store.delete('present');
      assert.equal(await store.exists('present'), false);
    });

    void it('lists keys by string prefix, sorted, across nesting levels', async () => {
      const store = makeStore();
      for (const k of ['l/x/2', 'l/x/10', 'l/xy', 'l/y/1', 'm/1']) await store.put(k, k);
      assert.deepEqual(await store.list('l/x'), ['l/x/10', 'l/x/2', 'l/xy']);
      assert.deepEqual(await store.list('l/x/'), ['l/x/10', 'l/x/2']);
      assert.deepEqual(await store.list('l/'), ['l/x/10', 'l/x/2', 'l/xy', 'l/y/1']);
      assert.deepEqual(await store.list('nothing/'), []);
    });

    void it('rejects keys that are absolute or contain empty, "." or ".." segments', async () => {
      const store = makeStore();
      for (const bad of ['', '/abs', 'a//b', 'a/../b', './a', 'dir/']) {
        await assert.rejects(store.put(bad, 'x'), InvalidKeyError, `key ${JSON.stringify(bad)}`);
      }
    });

    void it('scopes keys under a prefix view, and JSON helpers round-trip', async () => {
      const store = makeStore();
      const view = withPrefix(store, 'searches/s1/trials/t1/');
      await putJson(view, 'result.json', { acc: 0.5, list: [1, 2] });
      assert.deepEqual(await getJson(store, 'searches/s1/trials/t1/result.json'), { acc: 0.5, list: [1, 2] });
      assert.deepEqual(await view.list(''), ['result.json']);
      assert.match(view.describe('result.json'), /searches\/s1\/trials\/t1\/result\.json$/);
    });

    void it('never lets a concurrent reader see a partial object', async () => {
      const store = makeStore();
      const size = opts.raceBytes ?? 4 * 1024 * 1024;
      const a = new Uint8Array(size).fill(0xaa);
      const b = new Uint8Array(size).fill(0xbb);
      await store.put('race.bin', a);
      let writing = true;
      const writer = (async () => {
        for (let i = 0; i < 6; i++) await store.put('race.bin', i % 2 ? a : b);
        writing = false;
      })();
      let reads = 0;
      while (writing) {
        const got = await store.get('race.bin');
        assert.equal(got.byteLength, size, 'a read returned a truncated object');
        assert.ok(got[0] === 0xaa || got[0] === 0xbb);
        assert.ok(
          got.every((v) => v === got[0]),
          'a read mixed two versions',
        );
        reads++;
      }
      await writer;
      assert.ok(reads > 0);
      assert.deepEqual(await store.list('race'), ['race.bin'], 'temporary objects must not be listed');
    });
  });
}
