/**
 * The object-store seam: every byte the trainer and the search activities persist goes through
 * this interface, so the same code runs against S3 in a cluster and a local directory on a laptop.
 *
 * Contract (both implementations pass the same tests):
 * - `put` is atomic: a concurrent or later reader sees either the previous object or the whole
 *   new one, never a prefix of it; a crash mid-write leaves the previous object in place.
 * - keys are `/`-separated relative paths without `.`/`..` segments or a leading slash.
 * - `list(prefix)` returns every key that starts with `prefix` (a plain string prefix, as in S3),
 *   sorted, with no directory entries.
 * - `get` of a missing key throws {@link ObjectNotFoundError}; `delete` of a missing key is a no-op.
 */
import { checkKey, InvalidKeyError } from '../api/store-layout.js';

// The key rules belong to the layout contract (src/api/store-layout.ts); stores keep exporting them.
export { checkKey, InvalidKeyError } from '../api/store-layout.js';
export interface ObjectStore {
  get(key: string): Promise<Uint8Array>;
  put(key: string, data: Uint8Array | string): Promise<void>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** A human-readable location (URI) of `key`, for error messages. */
  describe(key: string): string;
}

/** A read of a key that does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(readonly uri: string) {
    super(`object not found: ${uri}`);
    this.name = 'ObjectNotFoundError';
  }
}

export function isObjectNotFound(err: unknown): err is ObjectNotFoundError {
  return err instanceof ObjectNotFoundError;
}

export function isInvalidKey(err: unknown): err is InvalidKeyError {
  return err instanceof InvalidKeyError;
}

/** Reads a key as UTF-8 text. */
export async function getText(store: ObjectStore, key: string): Promise<string> {
  return new TextDecoder().decode(await store.get(key));
}

/** Reads a key as JSON (the caller validates the shape). */
export async function getJson(store: ObjectStore, key: string): Promise<unknown> {
  return JSON.parse(await getText(store, key)) as unknown;
}

/** Writes pretty-printed JSON with a trailing newline. */
export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A view of `store` in which every key is relative to `prefix` (a "directory"), so a trial's
 * code can write `result.json` without knowing where its trial lives.
 */
export function withPrefix(store: ObjectStore, prefix: string): ObjectStore {
  const base = prefix.replace(/^\/+|\/+$/g, '');
  if (base === '') return store;
  const full = (key: string): string => `${base}/${checkKey(key)}`;
  return {
    // async, so that a bad key rejects like the stores' own methods instead of throwing.
    get: async (key) => store.get(full(key)),
    put: async (key, data) => store.put(full(key), data),
    delete: async (key) => store.delete(full(key)),
    exists: async (key) => store.exists(full(key)),
    describe: (key) => store.describe(full(key)),
    list: async (p) => {
      const keys = await store.list(`${base}/${p}`);
      return keys.map((k) => k.slice(base.length + 1));
    },
  };
}

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}
