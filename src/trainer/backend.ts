/**
 * The trainer's view of backend selection. The selection itself (tfjs-node-gpu, then the native
 * build provisioned into the tools cache, then pure-JS `@tensorflow/tfjs`, each smoke-tested
 * with a conv gradient) lives in ./backend/select.ts; this adapter adds the
 * `NASFLOW_TF_BACKEND` override and the names recorded in result.json.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { loadFastestBackend, type BackendName, type SelectArgs } from './backend/select.js';

export type TF = typeof tfjs;

export interface LoadedBackend {
  tf: TF;
  /** `tf.getBackend()`: `tensorflow` for the native packages, `cpu` for pure JS. */
  backend: string;
  /** Which selector entry loaded: `tfjs-node-gpu`, `tfjs-node` or `cpu`. */
  pkg: string;
}

/** `NASFLOW_TF_BACKEND` values and the selector order each one pins (tests pin `cpu` for exact arithmetic). */
const FORCE: Readonly<Record<string, readonly BackendName[]>> = {
  gpu: ['tfjs-node-gpu'],
  node: ['tfjs-node'],
  cpu: ['cpu'],
};

export async function loadBackend(
  force: string | undefined,
  warn: (msg: string) => void,
  select: (args: SelectArgs) => ReturnType<typeof loadFastestBackend> = loadFastestBackend,
): Promise<LoadedBackend> {
  if (force && !FORCE[force]) {
    throw new Error(`NASFLOW_TF_BACKEND: expected one of ${Object.keys(FORCE).join(', ')}, received ${JSON.stringify(force)}`);
  }
  const loaded = await select(force ? { order: FORCE[force] } : {});
  if (loaded.warning) warn(`nasflow: ${loaded.warning}`);
  return { tf: loaded.tf, backend: loaded.tf.getBackend(), pkg: loaded.backend };
}
