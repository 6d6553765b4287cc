/**
 * The embedded Temporal dev server that `nasflow search …` uses when no address is given.
 *
 * - Detached: it runs in its own session, outside the terminal's process group, so a Ctrl-C
 *   reaches only the nasflow command, which pauses its search first and then stops the server
 *   itself. (In the same group the server died with the Ctrl-C, before the pause could reach it.)
 * - Shared: every nasflow command using it registers its pid under `users/`; the last one to
 *   leave stops it, whichever command started it. A command that died without leaving is skipped
 *   (its pid no longer runs), and the next command to leave stops the server instead.
 * - Restartable in place: `server.json` keeps the ports and the SQLite history stays in
 *   NASFLOW_HOME, so the next start has the same address (when its ports are free) and every
 *   search of the last one: a paused search resumes from it.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '../dev/lock.js';
import { isAlive, stopService } from '../dev/service.js';
import { startTemporal } from '../dev/temporal.js';
import { ensureTools } from '../dev/tools.js';
import { at } from '../common/indexing.js';

export interface ServerRecord {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The running server's pid; absent once the last user stopped it. */
  pid?: number;
  ports?: number[];
}

export interface EmbeddedServer extends ServerRecord {
  /** Deregisters this command and, if it was the last user, stops the server. */
  leave(): Promise<void>;
  /** The same without waiting, for exits on a signal: the last user sends SIGTERM and goes. */
  leaveNow(): void;
}

export function serverRecord(dir: string): ServerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as ServerRecord;
  } catch {
    return undefined;
  }
}

/** True while `pid` is a Temporal dev server (not a recycled pid). */
export function serverRuns(pid: number | undefined): pid is number {
  if (pid === undefined || !isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
  } catch {
    return false;
  }
}

/** Joins the running embedded server, or starts it (on its recorded ports when free). */
export async function joinEmbeddedServer(dir: string, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<EmbeddedServer> {
  mkdirSync(join(dir, 'users'), { recursive: true });
  const tools = await ensureTools({ env, only: ['temporal'], log });
  const registration = join(dir, 'users', String(process.pid));
  const record = await withLock(
    join(dir, 'server.lock'),
    async () => {
      let rec = serverRecord(dir);
      if (!rec || !serverRuns(rec.pid)) {
        const started = await startTemporal(tools.temporal.path, { dir, env, detached: true, ...(rec?.ports ? { ports: rec.ports } : {}) });
        const { address, namespace, uiUrl } = started.endpoints;
        rec = { address, namespace, uiUrl, pid: at(started.processes, 0, 'temporal process').pid, ...(started.ports ? { ports: started.ports } : {}) };
        writeFileSync(join(dir, 'server.json'), JSON.stringify(rec));
      }
      writeFileSync(registration, '');
      return rec;
    },
    2 * 60_000,
  );

  let left = false;
  const onExit = (): void => leaveNow();
  process.once('exit', onExit);
  const otherUsers = (): number[] => users(dir).filter((pid) => pid !== process.pid && isAlive(pid));
  function leaveNow(): void {
    if (left) return;
    left = true;
    rmSync(registration, { force: true });
    const pid = serverRecord(dir)?.pid;
    if (otherUsers().length === 0 && serverRuns(pid)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  return {
    ...record,
    leaveNow,
    async leave() {
      if (left) return;
      left = true;
      process.removeListener('exit', onExit);
      await withLock(
        join(dir, 'server.lock'),
        async () => {
          rmSync(registration, { force: true });
          const rec = serverRecord(dir);
          if (otherUsers().length > 0 || !rec || !serverRuns(rec.pid)) return;
          await stopService({ pid: rec.pid });
          writeFileSync(join(dir, 'server.json'), JSON.stringify({ ...rec, pid: undefined }));
        },
        2 * 60_000,
      );
    },
  };
}

function users(dir: string): number[] {
  try {
    return readdirSync(join(dir, 'users'))
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}
