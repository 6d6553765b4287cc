/**
 * Runs trials as trainer processes on this machine (the embedded default). Each attempt gets a
 * record folder created atomically (mkdir), so two workers can never start the same attempt; the
 * process runs detached under a shell that writes its exit code to the record when it ends, so a
 * worker that restarts re-attaches by reading the record instead of launching again.
 *
 * A recorded pid is checked before it counts as the trial's (trial-process.ts): its environment
 * must name this attempt's exit file and its start time must match the record, so a pid that
 * wrapped to another process is neither reported running nor signalled.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { stableHash } from '../common/hash.js';
import { isAlive } from '../dev/service.js';
import type { Launcher, TrialRef, TrialState } from './launcher.js';
import { isTrialProcess, processStartTicks, trialGroupAlive } from './trial-process.js';

export interface LocalLauncherOptions {
  /** Folder for launch records and trial logs. */
  workDir: string;
  /** Command that trains one trial; `--spec <uri>` is appended. */
  command: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Trials this machine runs at once. Default: 1. */
  maxConcurrent?: number;
}

/** How long a claimed attempt may go without its process's pid before it counts as never started. */
const LAUNCH_GRACE_MS = 15_000;

interface LaunchRecord {
  trialId: string;
  attempt: number;
  pid: number;
  startedAt: string;
  /** The shell's start time in clock ticks after boot (Linux), to tell it from a later holder of the pid. */
  startTicks?: number;
}

export class LauncherBusyError extends Error {
  constructor(running: number) {
    super(`local launcher is at its concurrency limit (${running} trials running); retrying`);
    this.name = 'LauncherBusyError';
  }
}

export class LocalLauncher implements Launcher {
  private readonly maxConcurrent: number;
  /** Every attempt runs on this machine. */
  readonly host = hostname();

  constructor(private readonly opts: LocalLauncherOptions) {
    this.maxConcurrent = opts.maxConcurrent ?? 1;
    mkdirSync(opts.workDir, { recursive: true });
  }

  /** One line per process started: the chaos tests read it to prove no attempt started twice. */
  get launchLog(): string {
    return join(this.opts.workDir, 'launches.log');
  }

  async launch(trial: TrialRef): Promise<void> {
    const dir = this.attemptDir(trial);
    if (existsSync(join(dir, 'launch.json'))) return; // already launched: re-attach
    const running = this.runningCount();
    if (running >= this.maxConcurrent) throw new LauncherBusyError(running);
    mkdirSync(join(dir, '..'), { recursive: true });
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // another worker won the race
      throw err;
    }
    const log = openSync(join(dir, 'trainer.log'), 'a');
    const exitFile = join(dir, 'exit');
    const [cmd, ...args] = [...this.opts.command, '--spec', trial.specUri];
    // The shell outlives a worker crash and records the exit code for whoever polls next.
    const script = 'echo $$ > "$PID_FILE"; "$@"; code=$?; echo $code > "$EXIT_FILE.tmp" && mv "$EXIT_FILE.tmp" "$EXIT_FILE"';
    const child = spawn('sh', ['-c', script, 'nasflow-trial', cmd, ...args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...this.opts.env, EXIT_FILE: exitFile, PID_FILE: join(dir, 'pid'), NASFLOW_TRIAL_ATTEMPT: String(trial.attempt) },
    });
    closeSync(log);
    child.unref();
    const startTicks = processStartTicks(child.pid!);
    const record: LaunchRecord = {
      trialId: trial.trialId,
      attempt: trial.attempt,
      pid: child.pid!,
      startedAt: new Date().toISOString(),
      ...(startTicks === undefined ? {} : { startTicks }),
    };
    writeFileSync(join(dir, 'launch.json'), JSON.stringify(record));
    appendFileSync(this.launchLog, `${JSON.stringify(record)}\n`);
  }

  async poll(trial: TrialRef): Promise<TrialState> {
    const dir = this.attemptDir(trial);
    const exitFile = join(dir, 'exit');
    if (existsSync(exitFile)) {
      const exitCode = Number(readFileSync(exitFile, 'utf8').trim());
      return { state: 'exited', exitCode, message: exitCode === 0 ? undefined : logTail(join(dir, 'trainer.log')) };
    }
    // The shell writes its own pid first thing, so a worker killed between claiming the attempt
    // and recording the launch cannot leave an attempt that looks alive forever.
    const proc = readProcess(dir);
    if (proc === undefined) {
      if (!existsSync(dir)) return { state: 'missing' };
      const claimedMs = Date.now() - statSync(dir).mtimeMs;
      return claimedMs < LAUNCH_GRACE_MS
        ? { state: 'running' }
        : { state: 'exited', exitCode: 137, message: 'launch was interrupted before the trial process started' };
    }
    if (isTrialProcess(proc.pid, proc.marker, proc.startTicks)) return { state: 'running' };
    // The shell died without recording an exit (kill -9 of the group, machine restart): infrastructure.
    if (existsSync(exitFile)) return this.poll(trial);
    const why = isAlive(proc.pid) ? `; pid ${proc.pid} now belongs to another process` : '';
    return { state: 'exited', exitCode: 137, message: `trial process ${proc.pid} vanished without an exit code${why}` };
  }

  /** Stops the attempt's process group, and only if it is still the trial's (never a foreign process). */
  async cancel(trial: TrialRef): Promise<void> {
    const proc = readProcess(this.attemptDir(trial));
    if (proc !== undefined && trialGroupAlive(proc.pid, proc.marker, proc.startTicks)) {
      try {
        process.kill(-proc.pid, 'SIGTERM'); // the whole group: shell and trainer
      } catch {
        // already gone
      }
    }
  }

  async logs(trial: TrialRef, maxBytes: number): Promise<string | undefined> {
    const file = join(this.attemptDir(trial), 'trainer.log');
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file);
    return text.subarray(Math.max(0, text.length - maxBytes)).toString('utf8');
  }

  private attemptDir(trial: TrialRef): string {
    return join(this.opts.workDir, 'trials', stableHash(`${trial.searchId}|${trial.trialId}`), `attempt-${trial.attempt}`);
  }

  private runningCount(): number {
    const root = join(this.opts.workDir, 'trials');
    if (!existsSync(root)) return 0;
    let n = 0;
    for (const t of readdirSync(root)) {
      for (const a of readdirSync(join(root, t))) {
        const dir = join(root, t, a);
        const proc = readProcess(dir);
        if (proc !== undefined && !existsSync(join(dir, 'exit')) && isTrialProcess(proc.pid, proc.marker, proc.startTicks)) n++;
      }
    }
    return n;
  }
}

/**
 * The attempt's shell as recorded: its pid (the shell writes it first thing, so a worker killed
 * before writing launch.json leaves it too), the marker its environment carries, and its start time
 * when the launch record has it for the same pid.
 */
function readProcess(dir: string): { pid: number; marker: string; startTicks?: number } | undefined {
  const record = readRecord(dir);
  const pid = readPid(dir) ?? record?.pid;
  if (pid === undefined) return undefined;
  const startTicks = record?.pid === pid ? record.startTicks : undefined;
  return { pid, marker: `EXIT_FILE=${join(dir, 'exit')}`, ...(startTicks === undefined ? {} : { startTicks }) };
}

function readPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readRecord(dir: string): LaunchRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'launch.json'), 'utf8')) as LaunchRecord;
  } catch {
    return undefined;
  }
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-5).join('\n').slice(-1000);
  } catch {
    return '';
  }
}
