/**
 * The trainer's view of backend selection. The selection itself (the native tfjs-node build
 * provisioned into the tools cache, then pure-JS `@tensorflow/tfjs`, each smoke-tested
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
  /** Which selector entry loaded: `tfjs-node` or `cpu`. */
  pkg: string;
  /** The native build's flavour (`cpu` or `gpu`); absent for pure JS. */
  flavour?: 'cpu' | 'gpu';
  /** TensorFlow listed a GPU device (native only). */
  usingGpu: boolean;
}

/** `NASFLOW_TF_BACKEND` values and the selector order each one pins (tests pin `cpu` for exact arithmetic). */
const FORCE: Readonly<Record<string, readonly BackendName[]>> = {
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
  return { tf: loaded.tf, backend: loaded.tf.getBackend(), pkg: loaded.backend, flavour: loaded.flavour, usingGpu: loaded.usingGpu };
}
