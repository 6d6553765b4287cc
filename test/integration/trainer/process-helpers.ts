/** Spawning trainer processes and watching their output, for the trainer's process-level tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const NASFLOW_BIN = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'nasflow.js');
export const TINY_TRAIN = join(import.meta.dirname, 'fixtures', 'tiny-train.js');

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node <script> ...args` on the pure-JS backend (deterministic arithmetic). */
export function startNode(script: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, NASFLOW_TF_BACKEND: 'cpu', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The JSON result the trainer prints as its last stdout line. */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}
