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
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface TemporalTarget {
  address: string;
  namespace: string;
  uiUrl?: string;
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
    return { ...running, embedded: false, client: new Client({ connection, namespace: running.namespace }), close: () => connection.close() };
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
      for (const p of started.processes) await stopService(p);
      rmSync(stateFile, { force: true });
    },
  };
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
