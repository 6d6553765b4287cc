/**
 * checkStorage on local paths (the S3 cases run against a real server in
 * test/integration/store/storage-check.test.ts): usable storage passes and keeps what it holds;
 * unusable storage throws a StorageError naming `storage`, a shortened URI and the fix.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStorage, isStorageError } from '../../../src/store/storage-check.js';
import { openPrefix } from '../../../src/store/uri.js';

const open = (uri: string) => openPrefix(uri, {}).store;

void describe('checkStorage (local paths)', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nasflow-check-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('passes on a writable folder, keeps what it holds and leaves no probe behind', async () => {
    const dir = join(root, 'store');
    mkdirSync(join(dir, 'searches', 'old'), { recursive: true });
    writeFileSync(join(dir, 'searches', 'old', 'spec.json'), '{}');
    await checkStorage(dir, open);
    await checkStorage(`file://${dir}`, open);
    assert.deepEqual(readdirSync(dir), ['searches']);
    assert.deepEqual(readdirSync(join(dir, 'searches', 'old')), ['spec.json']);
  });

  it('passes on a folder that does not exist yet (it is created)', async () => {
    await checkStorage(join(root, 'new', 'deeper'), open);
  });

  const cases: [string, () => string, RegExp][] = [
    ['an ftp:// URI', () => 'ftp://files.example/store', /scheme s3:\/\/ or file:\/\/, received ftp:\/\/; use s3:\/\/bucket\/prefix/],
    ['a scheme without //', () => 'ftp:/store', /scheme ftp: is not supported/],
    ['s3:// without a bucket', () => 's3://', /expected a bucket name/],
    ['a path under /proc', () => '/proc/self/nasflow', /under \/proc, a kernel pseudo-filesystem; use a directory on a real disk/],
    ['a 100,000-character path', () => `${root}/${'x'.repeat(100_000)}`, /is 1000\d\d characters long; use a URI of at most 1024 characters/],
    ['a 300-character path segment', () => join(root, 'y'.repeat(300)), /\(ENAMETOOLONG\); shorten the path/],
    [
      'a path through a file',
      () => {
        writeFileSync(join(root, 'plain-file'), 'x');
        return join(root, 'plain-file', 'store');
      },
      /\(ENOTDIR\); a part of the path is a file/,
    ],
  ];
  for (const [title, uri, message] of cases) {
    it(`rejects ${title} with a StorageError naming storage`, async () => {
      await assert.rejects(checkStorage(uri(), open), (err: unknown) => {
        assert.ok(isStorageError(err), String(err));
        assert.match(err.message, /^spec\.storage "/);
        assert.match(err.message, message);
        assert.ok(err.message.length < 600, `message of ${err.message.length} characters`);
        return true;
      });
    });
  }
});
