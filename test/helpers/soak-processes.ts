/**
 * The processes a chaos soak starts and kills: a Temporal dev server that can be stopped and
 * started again on the same ports and database, `nasflow worker` processes, and `nasflow` client
 * processes. Every process's output goes to a log file in the soak's folder so that a failed run
 * can be read afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../../src/dev/ports.js';
import { devServerArgs } from '../../src/dev/temporal.js';
import { isAlive, startService, stopService, waitUntil, type ServiceProcess } from '../../src/dev/service.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';

/**
 * A dev server whose ports and SQLite file are chosen once, so that `restart` brings back the same
 * address with the same histories (what a user does with a dev server they stopped).
 */
export class RestartableTemporal {
  private proc: ServiceProcess | undefined;

  private constructor(
    private readonly binary: string,
    private readonly dir: string,
    private readonly ports: readonly number[],
  ) {}

  static async start(binary: string, dir: string): Promise<RestartableTemporal> {
    mkdirSync(dir, { recursive: true });
    const server = new RestartableTemporal(binary, dir, await freePorts(4));
    await server.up();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.ports[0]}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async up(): Promise<void> {
    const http = this.ports[2];
    const args = devServerArgs(this.ports, this.dir);
    // A port not yet released by the previous process shows as an exit during start-up: retry.
    for (let attempt = 1; ; attempt++) {
      const proc = startService({ name: 'temporal', command: this.binary, args, logFile: join(this.dir, 'temporal.log') });
      this.proc = proc;
      try {
        await waitUntil('temporal dev server', async () => (await fetch(`http://127.0.0.1:${http}/api/v1/namespaces/default`)).ok, {
          timeoutMs: 120_000,
          proc,
        });
        return;
      } catch (err) {
        await stopService(proc);
        this.proc = undefined;
        if (attempt >= 3) throw err;
        await sleep(2000);
      }
    }
  }

  /** SIGTERM (with SIGKILL after a grace period) or SIGKILL at once; resolves once it is gone. */
  async down(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    if (signal === 'SIGTERM') return stopService(proc, 15_000);
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isAlive(proc.pid)) await sleep(50);
  }
}

/** A `nasflow` CLI process whose stderr is kept in a log file and searched for lines. */
export class CliProcess {
  readonly child: ChildProcess;
  private readonly log: WriteStream;
  private stderr = '';
  private stdout = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly startedAt = Date.now();

  constructor(
    readonly label: string,
    args: readonly string[],
    logFile: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    this.log.write(`\n=== ${new Date().toISOString()} ${label}: nasflow ${args.join(' ')}\n`);
    this.child = spawn(process.execPath, [CLI_ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (c: Buffer) => {
      this.stdout += c.toString();
      this.log.write(c);
    });
    this.child.stderr!.on('data', (c: Buffer) => {
      const text = c.toString();
      // Keep the tail only: a worker that runs for minutes may log a lot.
      this.stderr = (this.stderr + text).slice(-200_000);
      this.log.write(c);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.log.end(`=== ${label} exited: code ${code} signal ${signal}\n`);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  output(): { stdout: string; stderr: string } {
    return { stdout: this.stdout, stderr: this.stderr };
  }

  /** Resolves true once stderr matches `pattern`, false if the process exits first or `timeoutMs` passes. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (pattern.test(this.stderr)) return true;
      if (!this.running) return false;
      await sleep(100);
    }
    return false;
  }

  signal(sig: NodeJS.Signals): void {
    try {
      this.child.kill(sig);
    } catch {
      // already gone
    }
  }

  /** Sends `sig` and waits for the exit; SIGKILL after `graceMs`. True when it exited within the grace. */
  async stop(sig: NodeJS.Signals, graceMs: number): Promise<boolean> {
    if (!this.running) return true;
    this.signal(sig);
    const inTime = await settlesWithin(this.exited, graceMs);
    if (!inTime) {
      this.signal('SIGKILL');
      await this.exited;
    }
    return inTime;
  }
}

/** True if `p` settles within `ms`; the timer is cleared either way, so it keeps no process alive. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const WORKER_READY = /polling task queue/;

export interface WorkerArgs {
  address: string;
  taskQueue: string;
  workDir: string;
  maxLocalTrials: number;
}

export function startWorkerProcess(label: string, w: WorkerArgs, logFile: string): CliProcess {
  return new CliProcess(
    label,
    ['worker', '--address', w.address, '--task-queue', w.taskQueue, '--work-dir', w.workDir, '--max-local-trials', String(w.maxLocalTrials)],
    logFile,
  );
}
