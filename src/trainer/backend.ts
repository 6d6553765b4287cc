/**
 * Picks the fastest TensorFlow.js backend that loads: native CUDA (`@tensorflow/tfjs-node-gpu`),
 * native CPU (`@tensorflow/tfjs-node`), then the pure-JS CPU backend of `@tensorflow/tfjs` with a
 * warning (it is 100x or more slower for conv nets). Packages are imported dynamically, so a
 * missing or broken native package (no libtensorflow, wrong glibc) is only skipped.
 */
import type * as tfjs from '@tensorflow/tfjs';

export type TF = typeof tfjs;

export interface LoadedBackend {
  tf: TF;
  /** `tf.getBackend()` after loading: `tensorflow` for the native packages, `cpu` for pure JS. */
  backend: string;
  /** The package that provided it. */
  pkg: string;
  /** Why faster packages were skipped (one line each). */
  skipped: string[];
}

/** Order of preference. `NASFLOW_TF_BACKEND=cpu|node|gpu` narrows it (tests pin `cpu` for determinism). */
export const BACKEND_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs'] as const;

const FORCE: Record<string, readonly string[]> = {
  gpu: ['@tensorflow/tfjs-node-gpu'],
  node: ['@tensorflow/tfjs-node'],
  cpu: ['@tensorflow/tfjs'],
};

export async function loadBackend(
  force: string | undefined,
  warn: (msg: string) => void,
  importer: (name: string) => Promise<unknown> = (name) => import(name),
): Promise<LoadedBackend> {
  if (force && !FORCE[force]) {
    throw new Error(`NASFLOW_TF_BACKEND: expected one of ${Object.keys(FORCE).join(', ')}, received ${JSON.stringify(force)}`);
  }
  const candidates = force ? FORCE[force] : BACKEND_PACKAGES;
  const skipped: string[] = [];
  for (const pkg of candidates) {
    try {
      const mod = (await importer(pkg)) as TF & { default?: TF };
      const tf = typeof mod.getBackend === 'function' ? mod : (mod.default as TF);
      if (pkg === '@tensorflow/tfjs') await tf.setBackend('cpu');
      await tf.ready();
      const backend = tf.getBackend();
      if (pkg === '@tensorflow/tfjs' && !force) {
        warn(
          `nasflow: no native TensorFlow backend loaded (${skipped.join('; ')}); training on the pure-JS CPU backend, ` +
            'which is about 100x slower for conv nets. Install @tensorflow/tfjs-node (or -gpu) for real trials.',
        );
      }
      return { tf, backend, pkg, skipped };
    } catch (err) {
      skipped.push(`${pkg}: ${firstLine(err)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend loaded: ${skipped.join('; ')}`);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].slice(0, 200);
}
