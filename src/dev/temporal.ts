/**
 * The Temporal CLI dev server (SQLite persistence, Web UI) on loopback. The database lives in the
 * component's folder, so a server started again on the same folder (and, when free, the same
 * ports) carries on with every workflow of the last one.
 *
 * Besides the four ports given here, the dev server picks free ports for its internal services
 * itself; on a busy machine another process can take one between its check and its bind, and the
 * server exits with "address already in use" (seen once in a fresh-clone `npm test`). Start-up is
 * retried then, on the same ports where they are free.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES, type ComponentOptions, type StartedComponent } from './components.js';
import { portsPreferring, releasePorts } from './ports.js';
import { startService, stopService, waitUntil } from './service.js';

export interface TemporalEndpoints {
  address: string;
  namespace: string;
  uiUrl: string;
  httpUrl: string;
}

/** `temporal server start-dev` arguments: loopback, the given ports (gRPC, UI, HTTP, metrics), a database in `dir`, nasflow's search attributes. */
export function devServerArgs(ports: readonly number[], dir: string): string[] {
  const [grpc, ui, http, metrics] = ports;
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--ui-ip',
    '127.0.0.1',
    '--port',
    String(grpc),
    '--ui-port',
    String(ui),
    '--http-port',
    String(http),
    '--metrics-port',
    String(metrics),
    '--db-filename',
    join(dir, 'temporal.db'),
    '--namespace',
    'default',
    '--log-level',
    'warn',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];
}

/** Start-ups tried when the server exits because a port it chose was taken meanwhile. */
const START_ATTEMPTS = 3;

export async function startTemporal(binary: string, opts: ComponentOptions): Promise<StartedComponent<TemporalEndpoints>> {
  mkdirSync(opts.dir, { recursive: true });
  let preferred = opts.ports;
  for (let attempt = 1; ; attempt++) {
    const ports = await portsPreferring(preferred, 4, { waitMs: opts.portsWaitMs });
    const [grpc, ui, http] = ports;
    const args = devServerArgs(ports, opts.dir);
    const proc = startService({ name: 'temporal', command: binary, args, logFile: join(opts.dir, 'temporal.log'), detached: opts.detached, env: opts.env });
    const httpUrl = `http://127.0.0.1:${http}`;
    try {
      await waitUntil('temporal dev server', async () => (await fetch(`${httpUrl}/api/v1/namespaces/default`)).ok, { timeoutMs: 60_000, proc });
    } catch (err) {
      await stopService(proc);
      if (attempt < START_ATTEMPTS && isPortClash(err)) {
        releasePorts(ports);
        preferred = ports;
        continue;
      }
      throw err;
    }
    return {
      name: 'temporal',
      processes: [proc],
      ports,
      endpoints: { address: `127.0.0.1:${grpc}`, namespace: 'default', uiUrl: `http://127.0.0.1:${ui}`, httpUrl },
    };
  }
}

/** A start-up that failed because a port was taken (the error carries the server's log tail). */
export function isPortClash(err: unknown): boolean {
  return err instanceof Error && /process exited during start-up/.test(err.message) && /address already in use/.test(err.message);
}
