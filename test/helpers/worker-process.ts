/** `nasflow worker` as a child process, for tests that kill or signal workers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';

export interface WorkerProcessOptions {
  /** Own process group, so a test can signal the group as a whole (as a terminal or kubelet does). */
  detached?: boolean;
  /** Receives the worker's stderr; without it stderr goes to the test's. */
  onStderr?: (text: string) => void;
  /** Extra command-line arguments (e.g. --metrics-address). */
  args?: string[];
}

export function spawnWorkerProcess(address: string, taskQueue: string, workDir: string, opts: WorkerProcessOptions = {}): ChildProcess {
  const child = spawn(
    process.execPath,
    [CLI_ENTRY, 'worker', '--address', address, '--task-queue', taskQueue, '--work-dir', workDir, '--max-local-trials', '10', ...(opts.args ?? [])],
    {
      detached: opts.detached ?? false,
      stdio: ['ignore', 'ignore', opts.onStderr ? 'pipe' : 'inherit'],
    },
  );
  if (opts.onStderr) child.stderr!.on('data', (c: Buffer) => opts.onStderr!(c.toString()));
  return child;
}
