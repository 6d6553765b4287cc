/**
 * Starting and stopping the server processes of the dev stack. Every server's output goes to a
 * log file in its own folder, so a failed start can show why. A `detached` service outlives the
 * command that started it (`dev up`); otherwise it dies with its parent's process group.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceProcess {
  name: string;
  pid: number;
  logFile: string;
}

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
}

export function startService(opts: StartOptions): ServiceProcess {
  const out = openSync(opts.logFile, 'a');
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', out, out],
    detached: opts.detached ?? false,
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`${opts.name}: could not start ${opts.command}`);
  if (opts.detached) child.unref();
  child.on('error', () => undefined);
  return { name: opts.name, pid: child.pid, logFile: opts.logFile };
}

/**
 * True while the process runs. A zombie (exited, not yet reaped by a parent that is not us) counts
 * as gone: it holds no ports or files and will never run again.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
export async function stopService(proc: Pick<ServiceProcess, 'pid'>, graceMs = 5000): Promise<void> {
  if (!isAlive(proc.pid)) return;
  signal(proc.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(proc.pid)) return;
    await sleep(100);
  }
  signal(proc.pid, 'SIGKILL');
  while (isAlive(proc.pid)) await sleep(50);
}

/** Synchronous kill for exit handlers, where nothing asynchronous runs any more. */
export function killNow(pid: number): void {
  signal(pid, 'SIGKILL');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * A zombie that is really done. When the main thread of a multi-threaded server (Go, Node) exits
 * first, its entry shows Z while the other threads still run and its sockets are still open, so a
 * zombie counts as gone only once it is the last thread of its process.
 */
function isZombie(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const zombie = /^State:\s+Z/m.test(status);
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? '1');
    return zombie && threads <= 1;
  } catch {
    return true;
  }
}

/** Polls `check` until it returns true; on timeout the error includes the service log's tail. */
export async function waitUntil(what: string, check: () => Promise<boolean>, opts: { timeoutMs: number; proc?: ServiceProcess }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (opts.proc && !isAlive(opts.proc.pid)) {
      throw new Error(`${what}: process exited during start-up.\n${logTail(opts.proc.logFile)}`);
    }
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    await sleep(200);
  }
  throw new Error(`${what}: not ready after ${opts.timeoutMs / 1000} s.${opts.proc ? `\n${logTail(opts.proc.logFile)}` : ''}`);
}

export function logTail(logFile: string, lines = 20): string {
  try {
    const text = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return `last lines of ${logFile}:\n${text}`;
  } catch {
    return `(no log at ${logFile})`;
  }
}
