/**
 * Reads a profiled latency table from a path, a file:// URI or an s3:// URI (S3 settings from the
 * standard AWS_* variables and NASFLOW_S3_ENDPOINT, as everywhere else).
 *
 * `readLatencyTableSync` exists because the algorithm is created synchronously from the spec
 * (src/search/algorithm-from-spec.ts, called by the search activities): a local file is read
 * directly, an s3:// object through a short child process (./fetch-object.ts) that reuses the
 * store code. It blocks its caller for the length of one GET, once per search start.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LatencyTableError, parseLatencyTable, type LatencyTableFile } from '../api/latency-table.js';
import { getText, isObjectNotFound, openUri, parseStoreUri, type S3Env } from '../store/index.js';

const FIX = 'profile one with nasflow latency profile --space SPACE --out FILE and point the field at it';

export async function readLatencyTable(uri: string, field: string, env: S3Env = process.env): Promise<LatencyTableFile> {
  let text: string;
  const opened = openLocation(uri, field, env);
  try {
    text = await getText(opened.store, opened.key);
  } catch (err) {
    throw unreadable(uri, field, err);
  } finally {
    opened.close();
  }
  return parseLatencyTable(text, field, uri);
}

export function readLatencyTableSync(uri: string, field: string): LatencyTableFile {
  const loc = locate(uri, field);
  let text: string;
  try {
    if (loc.kind === 'file') text = readFileSync(loc.path, 'utf8');
    else {
      const script = fileURLToPath(new URL('./fetch-object.js', import.meta.url));
      text = execFileSync(process.execPath, [script, uri], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, stdio: ['ignore', 'pipe', 'pipe'] });
    }
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    throw unreadable(uri, field, typeof stderr === 'string' && stderr.trim() !== '' ? new Error(stderr.trim()) : err);
  }
  return parseLatencyTable(text, field, uri);
}

function locate(uri: string, field: string): ReturnType<typeof parseStoreUri> {
  try {
    return parseStoreUri(uri);
  } catch (err) {
    throw new LatencyTableError(field, `${JSON.stringify(uri)} is not a path, file:// or s3:// URI (${(err as Error).message})`);
  }
}

function openLocation(uri: string, field: string, env: S3Env): ReturnType<typeof openUri> {
  locate(uri, field);
  return openUri(uri, env);
}

function unreadable(uri: string, field: string, err: unknown): LatencyTableError {
  const code = (err as { code?: unknown }).code;
  if (isObjectNotFound(err) || code === 'ENOENT' || /not found|NoSuchKey|ENOENT/i.test(String((err as Error).message))) {
    return new LatencyTableError(field, `no latency table at ${uri}; ${FIX}`);
  }
  return new LatencyTableError(
    field,
    `cannot read the latency table at ${uri} (${(err as Error).message ?? String(err)}); check the path or the S3 settings`,
    true,
  );
}
