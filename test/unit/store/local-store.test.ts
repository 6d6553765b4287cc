import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, TEMP_PREFIX } from '../../../src/store/local-store.js';
import { objectStoreConformance } from './conformance.js';

const root = mkdtempSync(join(tmpdir(), 'nasflow-store-'));
let n = 0;
objectStoreConformance('local directory', () => new LocalStore(join(root, `s${n++}`)));

void describe('LocalStore specifics', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  void it('a put where directories cannot be created (procfs) fails instead of hanging', { timeout: 60_000 }, async () => {
    await assert.rejects(new LocalStore('/proc/nasflow-no-such-dir').put('a/b.json', '{}'), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ENOENT');
      return true;
    });
  });

  void it('leaves no temporary file behind after puts', async () => {
    const dir = join(root, 'clean');
    const store = new LocalStore(dir);
    await store.put('x/y.bin', new Uint8Array(10));
    await store.put('x/y.bin', new Uint8Array(20));
    assert.deepEqual(readdirSync(join(dir, 'x')), ['y.bin']);
  });

  void it("hides a crashed writer's temporary file from list and keeps the previous object", async () => {
    const dir = join(root, 'crash');
    const store = new LocalStore(dir);
    await store.put('k/obj', 'old');
    // What a process killed between write and rename leaves behind.
    mkdirSync(join(dir, 'k'), { recursive: true });
    writeFileSync(join(dir, 'k', `${TEMP_PREFIX}deadbeef`), 'half-writ');
    assert.deepEqual(await store.list('k/'), ['k/obj']);
    assert.equal(new TextDecoder().decode(await store.get('k/obj')), 'old');
  });

  void it('describes keys as file:// URIs', () => {
    assert.equal(new LocalStore('/data').describe('a/b.json'), 'file:///data/a/b.json');
  });
});
