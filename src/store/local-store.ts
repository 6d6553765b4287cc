/**
 * Object store over a local directory. Atomicity comes from POSIX rename: each put writes a
 * temporary file in the destination's own directory (same filesystem), fsyncs it, then renames
 * it over the destination, so readers see the old or the new file and never a partial one.
 */
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ObjectNotFoundError, checkKey, toBytes, type ObjectStore } from './object-store.js';

/** Temporary files carry this prefix; `list` hides them and a later put never reuses one. */
export const TEMP_PREFIX = '.nasflow-tmp-';

export class LocalStore implements ObjectStore {
  constructor(readonly root: string) {}

  describe(key: string): string {
    return pathToFileURL(join(this.root, key)).href;
  }

  private path(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(this.describe(key));
      throw err;
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const dest = this.path(key);
    await makeDirs(dirname(dest));
    const temp = join(dirname(dest), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(toBytes(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, dest);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    // Walk only the deepest directory the prefix names completely; the rest is a string filter.
    const cut = prefix.lastIndexOf('/');
    const dirKey = cut < 0 ? '' : prefix.slice(0, cut);
    const start = dirKey === '' ? this.root : join(this.root, ...dirKey.split('/'));
    const keys: string[] = [];
    await walk(start, dirKey, keys);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }
}

/**
 * `mkdir -p`, without Node's recursive mode: that loops forever (measured on Node 20 and 24) where
 * mkdir answers ENOENT under a parent that exists, as procfs does, so a search stored under /proc
 * hung in its first activity. Here every error surfaces.
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let cur = dir; ; cur = dirname(cur)) {
    try {
      await stat(cur);
      break; // exists (a file here makes the mkdir below fail with ENOTDIR)
    } catch (err) {
      if (!isMissing(err)) throw err;
      missing.push(cur);
      if (dirname(cur) === cur) break;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // a concurrent put made it
    }
  }
}

async function walk(dir: string, keyPrefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(TEMP_PREFIX)) continue;
    const key = keyPrefix === '' ? entry.name : `${keyPrefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(join(dir, entry.name), key, out);
    else if (entry.isFile()) out.push(key.split(sep).join('/'));
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT';
}
