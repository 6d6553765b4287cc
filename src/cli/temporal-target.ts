/**
 * Which Temporal the CLI talks to: `--address`/TEMPORAL_ADDRESS when given, otherwise the embedded
 * default — a Temporal dev server started for the duration of the command, whose SQLite history
 * lives in ~/.cache/nasflow/local (NASFLOW_HOME overrides), so a paused search survives the CLI.
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { startTemporal, type TemporalEndpoints } from '../dev/temporal.js';
import { isAlive, stopService } from '../dev/service.js';
import { ensureTools } from '../dev/tools.js';
import { temporalTls } from '../worker/temporal-tls.js';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TemporalTarget {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The embedded server (started here or shared with another nasflow command): run a local worker. */
  embedded: boolean;
  client: Client;
  close(): Promise<void>;
}

export function localHome(env: NodeJS.ProcessEnv): string {
  return env.NASFLOW_HOME ?? join(env.HOME ?? homedir(), '.cache', 'nasflow', 'local');
}

export async function connectTemporal(opts: { address?: string; namespace?: string; local?: boolean }, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<TemporalTarget> {
  const address = opts.local ? undefined : (opts.address ?? env.TEMPORAL_ADDRESS);
  const namespace = opts.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  if (address) {
    const tls = temporalTls(env);
    const connection = await Connection.connect({ address, ...(tls ? { tls } : {}) });
    return { address, namespace, embedded: false, client: new Client({ connection, namespace }), close: () => connection.close() };
  }
  const dir = localHome(env);
  const stateFile = join(dir, 'server.json');
  // Another nasflow command already runs the embedded server: share it rather than open the
  // same SQLite history twice.
  const running = readServerState(stateFile);
  if (running && isAlive(running.pid)) {
    const connection = await Connection.connect({ address: running.address });
    // Registered so that the command that owns the server keeps it up until this one is done.
    const registration = join(dir, 'users', String(process.pid));
    mkdirSync(join(dir, 'users'), { recursive: true });
    writeFileSync(registration, '');
    return {
      ...running, embedded: true, client: new Client({ connection, namespace: running.namespace }),
      async close() {
        await connection.close();
        rmSync(registration, { force: true });
      },
    };
  }
  const tools = await ensureTools({ env, only: ['temporal'], log });
  const started = await startTemporal(tools.temporal.path, { dir, env });
  const endpoints: TemporalEndpoints = started.endpoints;
  const pid = started.processes[0].pid;
  writeFileSync(stateFile, JSON.stringify({ address: endpoints.address, namespace: endpoints.namespace, uiUrl: endpoints.uiUrl, pid }));
  const connection = await Connection.connect({ address: endpoints.address });
  return {
    address: endpoints.address, namespace: endpoints.namespace, uiUrl: endpoints.uiUrl, embedded: true,
    client: new Client({ connection, namespace: endpoints.namespace }),
    async close() {
      await connection.close();
      await waitForOtherUsers(dir, log);
      for (const p of started.processes) await stopService(p);
      rmSync(stateFile, { force: true });
    },
  };
}

/**
 * The embedded server dies with the command that started it; other nasflow commands sharing it
 * (a second `search run`, `search resume`) registered their pids, so wait until they are gone.
 */
async function waitForOtherUsers(dir: string, log: (m: string) => void): Promise<void> {
  const live = (): number[] => {
    let names: string[] = [];
    try {
      names = readdirSync(join(dir, 'users'));
    } catch {
      return [];
    }
    return names.map(Number).filter((pid) => Number.isInteger(pid) && pid !== process.pid && isAlive(pid));
  };
  let told = false;
  for (let users = live(); users.length > 0; users = live()) {
    if (!told) log(`the embedded Temporal server is still used by nasflow process${users.length > 1 ? 'es' : ''} ${users.join(', ')}; keeping it up until they finish (Ctrl-C stops it now)`);
    told = true;
    await sleep(500);
  }
}

interface ServerState {
  address: string;
  namespace: string;
  uiUrl?: string;
  pid: number;
}

function readServerState(file: string): ServerState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

export function workflowUrl(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  return uiUrl ? `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}
