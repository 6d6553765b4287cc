/**
 * The Temporal CLI dev server (SQLite persistence, Web UI) on loopback. The database lives in the
 * component's folder, so a server started again on the same folder (and, when free, the same
 * ports) carries on with every workflow of the last one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES, type ComponentOptions, type StartedComponent } from './components.js';
import { portsPreferring } from './ports.js';
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

export async function startTemporal(binary: string, opts: ComponentOptions): Promise<StartedComponent<TemporalEndpoints>> {
  mkdirSync(opts.dir, { recursive: true });
  const ports = await portsPreferring(opts.ports, 4, { waitMs: opts.portsWaitMs });
  const [grpc, ui, http] = ports;
  const args = devServerArgs(ports, opts.dir);
  const proc = startService({ name: 'temporal', command: binary, args, logFile: join(opts.dir, 'temporal.log'), detached: opts.detached, env: opts.env });
  const httpUrl = `http://127.0.0.1:${http}`;
  try {
    await waitUntil('temporal dev server', async () => (await fetch(`${httpUrl}/api/v1/namespaces/default`)).ok, { timeoutMs: 60_000, proc });
  } catch (err) {
    await stopService(proc);
    throw err;
  }
  return {
    name: 'temporal',
    processes: [proc],
    ports,
    endpoints: { address: `127.0.0.1:${grpc}`, namespace: 'default', uiUrl: `http://127.0.0.1:${ui}`, httpUrl },
  };
}
