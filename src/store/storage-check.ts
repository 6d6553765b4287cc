/**
 * The check a search makes of its `storage` before anything else, so that unusable storage fails
 * the search at once with the field named instead of retrying forever: the URI names a supported
 * store (scheme, bucket, length, not a kernel pseudo-filesystem), and a unique probe object can be
 * written, read back and deleted there. Objects already stored are never touched.
 *
 * Classification (docs/style.md principle 10): what the user must fix (unknown scheme, missing bucket,
 * denied access, unwritable or over-long path) is a {@link StorageError}; what may pass by itself
 * (connection refused, S3 5xx, throttling) is rethrown unchanged so the caller retries it, as
 * docs/design.md rule 4 retries an S3 outage.
 */
import { randomBytes } from 'node:crypto';
import { isInvalidKey, type ObjectStore } from './object-store.js';
import { isInvalidUri, parseStoreUri, shortUri, type StoreLocation } from './uri.js';

/**
 * The longest storage URI accepted. S3 keys are at most 1024 bytes and the search writes keys up
 * to ~200 characters below its prefix; local paths are capped by PATH_MAX (4096).
 */
export const MAX_STORAGE_URI = 1024;

/** Kernel pseudo-filesystems: writes there fail oddly (or, under /proc/sys, change the kernel). */
const PSEUDO_FS = ['/proc', '/sys', '/dev'];

/** Storage the search cannot use; the message names `storage`, the URI (shortened) and the fix. */
export class StorageError extends Error {
  constructor(
    readonly uri: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`spec.storage ${shortUri(uri)}: ${problem}; ${fix}`);
    this.name = 'StorageError';
  }
}

export function isStorageError(err: unknown): err is StorageError {
  return err instanceof Error && err.name === 'StorageError';
}

/** The checks that need no I/O; throws {@link StorageError}. */
export function checkStorageUri(uri: string): StoreLocation {
  if (uri.length > MAX_STORAGE_URI) {
    throw new StorageError(uri, `is ${uri.length} characters long`, `use a URI of at most ${MAX_STORAGE_URI} characters`);
  }
  // parseStoreUri reads "ftp:/x" as a relative path; as storage it is surely a mistyped URI.
  const bare = /^([a-zA-Z][a-zA-Z0-9+.-]+):(?!\/\/)/.exec(uri)?.[1];
  if (bare) throw new StorageError(uri, `scheme ${bare}: is not supported`, 'use s3://bucket/prefix, file:///absolute/path or a filesystem path');
  let loc: StoreLocation;
  try {
    loc = parseStoreUri(uri);
  } catch (err) {
    if (!isInvalidUri(err)) throw err;
    throw new StorageError(uri, err.reason, 'use s3://bucket/prefix, file:///absolute/path or a filesystem path');
  }
  if (loc.kind === 'file') {
    const root = PSEUDO_FS.find((p) => loc.path === p || loc.path.startsWith(`${p}/`));
    if (root) throw new StorageError(uri, `is under ${root}, a kernel pseudo-filesystem`, 'use a directory on a real disk or an s3:// URI');
  }
  return loc;
}

/**
 * Checks the URI, then writes, reads back and deletes a probe object with a unique key through the
 * store that `open` returns for it (rooted at the URI's prefix).
 */
export async function checkStorage(uri: string, open: (uri: string) => ObjectStore): Promise<void> {
  const loc = checkStorageUri(uri);
  const probeKey = `.nasflow-probe-${randomBytes(8).toString('hex')}`;
  const body = `nasflow storage probe ${probeKey}\n`;
  try {
    const store = open(uri);
    await store.put(probeKey, body);
    const back = new TextDecoder().decode(await store.get(probeKey));
    if (back !== body)
      throw new StorageError(
        uri,
        'a probe object read back differs from what was written',
        'check the store for a proxy or lifecycle rule that rewrites objects',
      );
    await store.delete(probeKey);
  } catch (err) {
    throw classifyProbeError(uri, loc, err);
  }
}

/** Filesystem error codes a retry cannot fix. */
const LOCAL_PERMANENT: Record<string, string> = {
  ENAMETOOLONG: 'shorten the path: each segment at most 255 bytes, the whole path under 4096',
  // mkdir of a missing folder under one that exists: a pseudo-filesystem (procfs and the like).
  ENOENT: 'folders cannot be created there; use a directory on a real disk',
  EACCES: "make the directory writable by the worker's user, or choose another",
  EPERM: "make the directory writable by the worker's user, or choose another",
  EROFS: 'the filesystem is read-only; choose a writable directory',
  ENOTDIR: 'a part of the path is a file, not a directory; choose another path',
  EISDIR: 'choose a directory path for storage',
  ENOSPC: 'the disk is full; free space or choose another disk',
  EDQUOT: 'the disk quota is used up; free space or choose another disk',
  ELOOP: 'the path has a symbolic-link loop; choose another path',
};

/** S3 error names a retry cannot fix, with the fix. */
const S3_PERMANENT: Record<string, (bucket: string) => string> = {
  NoSuchBucket: (b) => `create the bucket (e.g. aws s3 mb s3://${b}) or name an existing one`,
  InvalidBucketName: () => 'use a bucket name of 3-63 lower-case letters, digits, "." or "-"',
  AccessDenied: (b) => `grant the worker's credentials s3:PutObject, s3:GetObject and s3:DeleteObject on s3://${b}`,
  AllAccessDisabled: (b) => `enable access to s3://${b}`,
  InvalidAccessKeyId: () => 'set AWS_ACCESS_KEY_ID (or the storage Secret) to a key the server knows',
  SignatureDoesNotMatch: () => "set AWS_SECRET_ACCESS_KEY (or the storage Secret) to the key's secret",
  PermanentRedirect: () => "set AWS_REGION to the bucket's region (or NASFLOW_S3_ENDPOINT to its endpoint)",
  AuthorizationHeaderMalformed: () => "set AWS_REGION to the bucket's region",
  CredentialsProviderError: () => 'provide credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a mounted credentials file or a workload identity',
};

/** A StorageError for problems the user must fix; any other error unchanged (retryable). */
export function classifyProbeError(uri: string, loc: StoreLocation, err: unknown): unknown {
  if (isStorageError(err)) return err;
  if (isInvalidKey(err) || isInvalidUri(err)) {
    return new StorageError(uri, 'does not name a usable location', 'use s3://bucket/prefix, file:///absolute/path or a filesystem path');
  }
  const e = err as { code?: string; name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (loc.kind === 'file') {
    const fix = e?.code ? LOCAL_PERMANENT[e.code] : undefined;
    // Only the code: a filesystem message echoes the whole (possibly 100,000-character) path.
    return fix ? new StorageError(uri, `cannot write a probe object (${e?.code})`, fix) : err;
  }
  const status = e?.$metadata?.httpStatusCode;
  const fix = e?.name ? S3_PERMANENT[e.name] : undefined;
  if (fix) return new StorageError(uri, `cannot write a probe object (${e?.name})`, fix(loc.bucket));
  // Other 4xx answers (but not 408 timeout / 429 throttling) will be the same on every retry.
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new StorageError(
      uri,
      `cannot write a probe object (HTTP ${status} ${e?.name ?? ''}: ${(e?.message ?? '').slice(0, 200)})`,
      `check the bucket s3://${loc.bucket} and the worker's S3 settings`,
    );
  }
  return err;
}
