/**
 * Store URIs: `s3://bucket/prefix`, `file:///abs/path`, or a plain filesystem path (relative
 * paths resolve against the working directory). One URI names either an object or a prefix;
 * the caller decides which by how it uses the returned key.
 */
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalStore } from './local-store.js';
import { withPrefix, type ObjectStore } from './object-store.js';
import { S3Store, s3ClientFromEnv, type S3Env } from './s3-store.js';

export type StoreLocation = { kind: 's3'; bucket: string; key: string } | { kind: 'file'; path: string };

/** A URI that names no supported store (wrong scheme, no bucket). */
export class InvalidUriError extends Error {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`invalid store URI ${shortUri(uri)}: ${reason}`);
    this.name = 'InvalidUriError';
  }
}

/** A URI as error messages show it: never more than `max` characters of a user's string. */
export function shortUri(uri: string, max = 200): string {
  return uri.length <= max ? JSON.stringify(uri) : `${JSON.stringify(uri.slice(0, max))}… (${uri.length} characters)`;
}

export function isInvalidUri(err: unknown): err is InvalidUriError {
  return err instanceof InvalidUriError;
}

export function parseStoreUri(uri: string): StoreLocation {
  if (uri.trim() === '') throw new InvalidUriError(uri, 'expected s3://bucket/prefix, file:///path or a path');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', path: resolve(uri) };
  if (scheme === 'file') return { kind: 'file', path: fileURLToPath(uri) };
  if (scheme !== 's3') throw new InvalidUriError(uri, `expected scheme s3:// or file://, received ${scheme}://`);
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new InvalidUriError(uri, `expected a bucket name of 3-63 lower-case letters, digits, "." or "-", received ${shortUri(bucket, 70)}`);
  }
  const key = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  return { kind: 's3', bucket, key };
}

export interface OpenedUri {
  /** A store rooted at the bucket (S3) or at the filesystem root (local). */
  store: ObjectStore;
  /** The URI's path inside `store`, without leading or trailing slashes ('' for a bucket root). */
  key: string;
  /** Releases network clients; safe to call twice. */
  close(): void;
}

export function openUri(uri: string, env: S3Env): OpenedUri {
  const loc = parseStoreUri(uri);
  if (loc.kind === 'file') {
    const key = loc.path
      .split(sep)
      .filter((p) => p !== '')
      .join('/');
    return { store: new LocalStore('/'), key, close: () => undefined };
  }
  const client = s3ClientFromEnv(env);
  return { store: new S3Store(client, loc.bucket), key: loc.key, close: () => client.destroy() };
}

/** A store whose keys are relative to the prefix `uri` names (for a trial's output directory). */
export function openPrefix(uri: string, env: S3Env): { store: ObjectStore; close(): void } {
  const opened = openUri(uri, env);
  return { store: withPrefix(opened.store, opened.key), close: opened.close };
}

/** The URI of the "directory" that contains the object `uri` names (for `result.json` next to a spec). */
export function parentUri(uri: string): string {
  const loc = parseStoreUri(uri);
  if (loc.kind === 'file') return loc.path.slice(0, Math.max(loc.path.lastIndexOf(sep), 1)) || sep;
  const cut = loc.key.lastIndexOf('/');
  return `s3://${loc.bucket}/${cut < 0 ? '' : loc.key.slice(0, cut)}`;
}
