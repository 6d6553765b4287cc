/**
 * Which Temporal the CLI talks to: `--address`/TEMPORAL_ADDRESS when given, otherwise the embedded
 * default — a Temporal dev server shared by the nasflow commands that run at the same time and
 * stopped by the last of them (embedded-server.ts), whose SQLite history lives in
 * ~/.cache/nasflow/local (NASFLOW_HOME overrides), so a paused search survives the CLI.
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { temporalTls } from '../worker/temporal-tls.js';
import { joinEmbeddedServer } from './embedded-server.js';

export interface TemporalTarget {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The embedded server (started here or shared with another nasflow command): run a local worker. */
  embedded: boolean;
  client: Client;
  close(): Promise<void>;
  /** For an exit on a signal: leave the embedded server without waiting (it stops if unused). */
  leaveNow?(): void;
}

export function localHome(env: NodeJS.ProcessEnv): string {
  return env.NASFLOW_HOME ?? join(env.HOME ?? homedir(), '.cache', 'nasflow', 'local');
}

export async function connectTemporal(
  opts: { address?: string; namespace?: string; local?: boolean },
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<TemporalTarget> {
  const address = opts.local ? undefined : (opts.address ?? env.TEMPORAL_ADDRESS);
  const namespace = opts.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  if (address) {
    const tls = temporalTls(env);
    const connection = await Connection.connect({ address, ...(tls ? { tls } : {}) });
    return { address, namespace, embedded: false, client: new Client({ connection, namespace }), close: () => connection.close() };
  }
  const server = await joinEmbeddedServer(localHome(env), env, log);
  try {
    const connection = await Connection.connect({ address: server.address });
    return {
      address: server.address,
      namespace: server.namespace,
      ...(server.uiUrl ? { uiUrl: server.uiUrl } : {}),
      embedded: true,
      client: new Client({ connection, namespace: server.namespace }),
      leaveNow: () => server.leaveNow(),
      async close() {
        await connection.close();
        await server.leave();
      },
    };
  } catch (err) {
    await server.leave();
    throw err;
  }
}

export function workflowUrl(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  return uiUrl ? `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}
