/**
 * A real S3 server on loopback: versitygw with its POSIX backend. Chosen over MinIO because it
 * is maintained, builds with a plain `go install`, and stores objects as ordinary files.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentOptions, StartedComponent } from './components.js';
import { at } from '../common/indexing.js';
import { portsPreferring } from './ports.js';
import { startService, stopService, waitUntil } from './service.js';

export interface S3Endpoints {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3Options extends ComponentOptions {
  /** Keys to reuse (a restart keeps its clients' credentials valid); default: fresh random ones. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export async function startS3(binary: string, opts: S3Options): Promise<StartedComponent<S3Endpoints>> {
  const dataDir = join(opts.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const port = at(await portsPreferring(opts.ports, 1, { waitMs: opts.portsWaitMs }), 0, 'S3 port');
  const accessKeyId = opts.credentials?.accessKeyId ?? `nasflow${randomBytes(4).toString('hex')}`;
  const secretAccessKey = opts.credentials?.secretAccessKey ?? randomBytes(20).toString('hex');
  const region = 'us-east-1';
  const args = ['--access', accessKeyId, '--secret', secretAccessKey, '--region', region, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', dataDir];
  const proc = startService({ name: 'versitygw', command: binary, args, logFile: join(opts.dir, 'versitygw.log'), detached: opts.detached, env: opts.env });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    // Any HTTP answer (an unauthenticated request gets 403) means the server is serving.
    await waitUntil('S3 server (versitygw)', async () => (await fetch(endpoint)).status > 0, { timeoutMs: 30_000, proc });
  } catch (err) {
    await stopService(proc);
    throw err;
  }
  return { name: 's3', processes: [proc], ports: [port], endpoints: { endpoint, region, accessKeyId, secretAccessKey } };
}
