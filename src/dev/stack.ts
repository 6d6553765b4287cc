/**
 * The dev stack behind `nasflow dev up|down|status`: starts the chosen parts detached, records
 * what it started (pids, endpoints, folders) in a state file, and stops exactly that.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StartedComponent } from './components.js';
import { startKube } from './kube.js';
import { startS3 } from './s3.js';
import { isAlive, stopService, type ServiceProcess } from './service.js';
import { startTemporal } from './temporal.js';
import { ensureTools } from './tools.js';

export interface StackSelection {
  temporal: boolean;
  kube: boolean;
  gpuNodes: number;
  s3: boolean;
}

export interface StackState {
  startedAt: string;
  root: string;
  components: Record<string, { processes: ServiceProcess[]; endpoints: Record<string, unknown>; dir: string }>;
}

export function stackRoot(env: NodeJS.ProcessEnv): string {
  return env.NASFLOW_DEV_DIR ?? join(env.HOME ?? homedir(), '.cache', 'nasflow', 'dev');
}

export function stateFile(env: NodeJS.ProcessEnv): string {
  return join(stackRoot(env), 'stack.json');
}

export function readState(env: NodeJS.ProcessEnv): StackState | undefined {
  const file = stateFile(env);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}

export async function stackUp(sel: StackSelection, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<StackState> {
  const existing = readState(env);
  if (existing && Object.values(existing.components).some((c) => c.processes.some((p) => isAlive(p.pid)))) {
    throw new Error(`a dev stack is already running (state: ${stateFile(env)}). Run "nasflow dev down" first.`);
  }
  const root = stackRoot(env);
  mkdirSync(root, { recursive: true });
  const state: StackState = { startedAt: new Date().toISOString(), root, components: {} };
  const record = (c: StartedComponent<object>, dir: string): void => {
    state.components[c.name] = { processes: c.processes, endpoints: c.endpoints as Record<string, unknown>, dir };
    writeFileSync(stateFile(env), JSON.stringify(state, null, 2));
  };
  try {
    if (sel.temporal) {
      const tools = await ensureTools({ env, only: ['temporal'], log });
      const dir = join(root, 'temporal');
      record(await startTemporal(tools.temporal.path, { dir, detached: true }), dir);
      log('temporal ready');
    }
    if (sel.s3) {
      const tools = await ensureTools({ env, only: ['versitygw'], log });
      const dir = join(root, 's3');
      record(await startS3(tools.versitygw.path, { dir, detached: true }), dir);
      log('s3 ready');
    }
    if (sel.kube) {
      const tools = await ensureTools({ env, only: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'], log });
      const dir = join(root, 'kube');
      rmSync(dir, { recursive: true, force: true });
      record(await startKube(tools, { dir, detached: true, gpuNodes: sel.gpuNodes, gpusPerNode: 8 }), dir);
      log('kubernetes ready');
    }
  } catch (err) {
    await stackDown(env);
    throw err;
  }
  return state;
}

export async function stackDown(env: NodeJS.ProcessEnv): Promise<string[]> {
  const state = readState(env);
  if (!state) return [];
  const stopped: string[] = [];
  for (const [name, c] of Object.entries(state.components).reverse()) {
    for (const p of [...c.processes].reverse()) {
      if (isAlive(p.pid) && isOurs(p)) {
        await stopService(p);
        stopped.push(`${name}/${p.name} (pid ${p.pid})`);
      }
    }
  }
  rmSync(stateFile(env), { force: true });
  return stopped;
}

export function stackStatus(env: NodeJS.ProcessEnv): { state?: StackState; alive: Record<string, boolean> } {
  const state = readState(env);
  const alive: Record<string, boolean> = {};
  if (state) {
    for (const [name, c] of Object.entries(state.components)) {
      for (const p of c.processes) alive[`${name}/${p.name}`] = isAlive(p.pid) && isOurs(p);
    }
  }
  return { state, alive };
}

/** Guards against a recycled pid: the process must still run the binary we started. */
function isOurs(p: ServiceProcess): boolean {
  try {
    const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
    return cmdline.includes(p.name === 'etcd' ? 'etcd' : p.name);
  } catch {
    return false;
  }
}
