/** Runs the built `nasflow` CLI in a child process (the way users run it). */
import { spawn } from 'node:child_process';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `onStderr` sees the stderr so far on every chunk and may signal the process (e.g. Ctrl-C). With
 * `group`, the CLI leads its own process group and `kill` signals the whole group, as a terminal's
 * Ctrl-C does (children started in the same group get the signal too).
 */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  onStderr?: (text: string, kill: (sig: NodeJS.Signals) => void) => void,
  opts: { group?: boolean } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: Boolean(opts.group) });
    const signal = (sig: NodeJS.Signals): void => {
      if (opts.group && child.pid !== undefined) process.kill(-child.pid, sig);
      else child.kill(sig);
    };
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      onStderr?.(stderr, signal);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The JSON summary `search run --json` prints: its last line that starts like one, since the SDK's
 * warnings (slow workflow tasks on a loaded machine) may follow it. `{}` when there is none.
 */
export function searchSummaryOf(stdout: string): unknown {
  return JSON.parse(
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{"searchId"'))
      .pop() ?? '{}',
  );
}
