/**
 * buildah and skopeo invocations with nasflow's own image storage, so image builds neither need
 * nor touch a system-wide container store: `<cache>/images/storage` (graph) and `.../run` (state).
 * The storage driver is overlay where the kernel allows it (much less disk than vfs, which copies
 * the whole filesystem per layer); NASFLOW_IMAGE_STORAGE_DRIVER=vfs forces vfs.
 */
import { join } from 'node:path';
import { runCommand, tail } from '../dev/run-command.js';

export interface Storage {
  root: string;
  runroot: string;
  driver: 'overlay' | 'vfs';
}

export function storageIn(cacheDir: string, env: NodeJS.ProcessEnv): Storage {
  const driver = env.NASFLOW_IMAGE_STORAGE_DRIVER === 'vfs' ? 'vfs' : 'overlay';
  return { root: join(cacheDir, 'storage', driver), runroot: join(cacheDir, 'run', driver), driver };
}

export interface Runner {
  /** Runs a command; throws with the output's tail when it fails. */
  run(cmd: string, args: readonly string[], opts?: { cwd?: string; logFile?: string }): Promise<string>;
}

export function commandRunner(env: NodeJS.ProcessEnv): Runner {
  return {
    async run(cmd, args, opts = {}) {
      const res = await runCommand(cmd, args, { cwd: opts.cwd, env, logFile: opts.logFile });
      if (res.code !== 0) {
        throw new Error(
          `${cmd} ${args.slice(0, 3).join(' ')} … failed (exit ${res.code})${opts.logFile ? `; log: ${opts.logFile}` : ''}:\n${tail(res.output)}`,
        );
      }
      return res.output;
    },
  };
}

/** buildah's global options for our storage. */
export function buildahGlobals(s: Storage): string[] {
  return ['--root', s.root, '--runroot', s.runroot, '--storage-driver', s.driver];
}

/** Whether an image name exists in our storage. */
export async function hasImage(r: Runner, s: Storage, ref: string): Promise<boolean> {
  try {
    await r.run('buildah', [...buildahGlobals(s), 'inspect', '--type', 'image', '--format', '{{.FromImageID}}', ref]);
    return true;
  } catch {
    return false;
  }
}
