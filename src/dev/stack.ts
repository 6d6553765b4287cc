/**
 * The dev stack behind `nasflow dev up|restart|down|status`: starts the chosen parts detached,
 * records what it started (pids, endpoints, ports, folders) in a state file, and stops exactly
 * that. A restarted part keeps its ports and data, and its new processes are recorded.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

export interface ComponentRecord {
  processes: ServiceProcess[];
  endpoints: Record<string, unknown>;
  dir: string;
  /** Ports it listens on; `dev up` and `dev restart` ask for them again. */
  ports?: number[];
}

export interface StackState {
  startedAt: string;
  root: string;
  components: Record<string, ComponentRecord>;
}

/** Parts that restart in place (same ports, same data). Kubernetes starts from a fresh etcd. */
const RESTARTABLE = ['temporal', 's3'];

export function stackRoot(env: NodeJS.ProcessEnv): string {
  return env.NASFLOW_DEV_DIR ?? join(env.HOME ?? homedir(), '.cache', 'nasflow', 'dev');
}

export function stateFile(env: NodeJS.ProcessEnv): string {
  return join(stackRoot(env), 'stack.json');
}

/** What the last `dev down` stopped: `dev up` reuses its ports, keys and data. */
function lastStateFile(env: NodeJS.ProcessEnv): string {
  return join(stackRoot(env), 'stack.last.json');
}

function readJson(file: string): StackState | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}

export function readState(env: NodeJS.ProcessEnv): StackState | undefined {
  return readJson(stateFile(env));
}

const running = (c: ComponentRecord): boolean => c.processes.some((p) => isAlive(p.pid) && isOurs(p));

/**
 * Starts the selected parts detached. Parts of an earlier stack that still run are kept; a part
 * that ran before (still recorded, or stopped by `dev down`) gets its old ports, keys and data
 * back when its ports are free, so clients configured for it keep working.
 */
export async function stackUp(sel: StackSelection, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<StackState> {
  const existing = readState(env);
  const wanted = (['temporal', 's3', 'kube'] as const).filter((name) => sel[name]);
  const clash = wanted.filter((name) => existing?.components[name] && running(existing.components[name]));
  if (clash.length > 0) {
    throw new Error(
      `a dev stack is already running (${clash.join(', ')}; state: ${stateFile(env)}). Run "nasflow dev restart" to restart it in place, or "nasflow dev down" first.`,
    );
  }
  const root = stackRoot(env);
  mkdirSync(root, { recursive: true });
  const previous = { ...readJson(lastStateFile(env))?.components, ...existing?.components };
  const state: StackState = existing ?? { startedAt: new Date().toISOString(), root, components: {} };
  const started: ComponentRecord[] = [];
  try {
    for (const name of wanted) {
      // A part stopped a moment ago (dev down, a crash) may still be letting go of its ports.
      const component = await startComponent(name, root, previous[name], sel.gpuNodes, env, log, previous[name] ? 10_000 : 0);
      state.components[name] = component;
      started.push(component);
      writeFileSync(stateFile(env), JSON.stringify(state, null, 2));
      log(`${name} ready`);
    }
  } catch (err) {
    for (const component of started.reverse()) await stopComponent(component);
    throw err;
  }
  return state;
}

/**
 * Stops and starts again the chosen parts (default: every restartable part of the stack) with
 * the same ports, keys and data, and records the new processes, so status and down find them.
 */
export async function stackRestart(names: readonly string[] | undefined, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<StackState> {
  const state = readState(env);
  if (!state) throw new Error('no dev stack to restart (run "nasflow dev up")');
  const chosen = names ?? Object.keys(state.components).filter((n) => RESTARTABLE.includes(n));
  for (const name of chosen) {
    if (!RESTARTABLE.includes(name))
      throw new Error(`${name} cannot be restarted in place (it starts from a fresh etcd); run "nasflow dev down" and "nasflow dev up --${name}"`);
    recorded(state, name, env);
  }
  for (const name of chosen) {
    const before = recorded(state, name, env);
    await stopComponent(before);
    // Our own server held these ports a moment ago: give its sockets time to close.
    const after = await startComponent(name, state.root, before, 0, env, log, 30_000);
    state.components[name] = after;
    writeFileSync(stateFile(env), JSON.stringify(state, null, 2));
    const moved = JSON.stringify(before.ports) !== JSON.stringify(after.ports);
    log(`${name} restarted${moved ? ' on new ports (the recorded ones were taken)' : ' on its recorded ports'}`);
  }
  return state;
}

function recorded(state: StackState, name: string, env: NodeJS.ProcessEnv): ComponentRecord {
  const component = state.components[name];
  if (!component) throw new Error(`${name} is not part of the dev stack (state: ${stateFile(env)}); start it with "nasflow dev up --${name}"`);
  return component;
}

async function startComponent(
  name: string,
  root: string,
  prev: ComponentRecord | undefined,
  gpuNodes: number,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
  portsWaitMs: number,
): Promise<ComponentRecord> {
  const dir = join(root, name);
  const record = (c: StartedComponent<object>): ComponentRecord => ({
    processes: c.processes,
    endpoints: c.endpoints as Record<string, unknown>,
    dir,
    ...(c.ports ? { ports: c.ports } : {}),
  });
  if (name === 'temporal') {
    const tools = await ensureTools({ env, only: ['temporal'], log });
    return record(await startTemporal(tools.temporal.path, { dir, detached: true, ports: prev?.ports, portsWaitMs }));
  }
  if (name === 's3') {
    const tools = await ensureTools({ env, only: ['versitygw'], log });
    const keys = prev?.endpoints as { accessKeyId?: string; secretAccessKey?: string } | undefined;
    const credentials = keys?.accessKeyId && keys.secretAccessKey ? { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } : undefined;
    return record(await startS3(tools.versitygw.path, { dir, detached: true, ports: prev?.ports, portsWaitMs, ...(credentials ? { credentials } : {}) }));
  }
  const tools = await ensureTools({ env, only: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'], log });
  rmSync(dir, { recursive: true, force: true });
  return record(await startKube(tools, { dir, detached: true, gpuNodes, gpusPerNode: 8 }));
}

async function stopComponent(c: ComponentRecord): Promise<string[]> {
  const stopped: string[] = [];
  for (const p of [...c.processes].reverse()) {
    if (isAlive(p.pid) && isOurs(p)) {
      await stopService(p);
      stopped.push(`${p.name} (pid ${p.pid})`);
    }
  }
  return stopped;
}

export async function stackDown(env: NodeJS.ProcessEnv): Promise<string[]> {
  const state = readState(env);
  if (!state) return [];
  const stopped: string[] = [];
  for (const [name, c] of Object.entries(state.components).reverse()) {
    for (const what of await stopComponent(c)) stopped.push(`${name}/${what}`);
  }
  renameSync(stateFile(env), lastStateFile(env));
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
