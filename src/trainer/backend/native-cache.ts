/**
 * Where scripts/provision-tfjs-node.sh leaves the native TensorFlow backend, and what it said
 * about it. The script writes `<toolsDir>/tfjs-node/<key>/status.json` last, on success, and
 * `<toolsDir>/tfjs-node/<key>.failed.json` with the reason when it gave up; this module only reads.
 */
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Cache key: tfjs-node version, TensorFlow wheel version, N-API version. Must equal KEY in
 * scripts/provision-tfjs-node.sh (a unit test compares them).
 */
export const NATIVE_KEY = '4.22.0-tf2.21.0-napi8';
/** The GPU build's key (NASFLOW_TF_FLAVOUR=gpu: the `tensorflow` wheel plus CUDA 12 wheels). */
export const NATIVE_GPU_KEY = '4.22.0-tf2.21.0-cu12-napi8';

export type NativeFlavour = 'cpu' | 'gpu';

export type NativeStatus = { ok: true; module: string; tensorflow: string; dir: string; flavour: NativeFlavour } | { ok: false; reason: string };

/**
 * The GPU build when one is there (the GPU image has only that one), else the CPU build. A GPU
 * build without a GPU trains on the CPU, so preferring it never loses a working backend.
 */
export function readNativeStatus(toolsDir: string): NativeStatus {
  const gpu = readKeyStatus(toolsDir, NATIVE_GPU_KEY, 'gpu');
  return gpu.ok ? gpu : readKeyStatus(toolsDir, NATIVE_KEY, 'cpu');
}

/** The tools cache root, shared with src/dev/tools.ts: $NASFLOW_TOOLS_DIR, else ~/.cache/nasflow/tools. */
export function defaultToolsDir(env: NodeJS.ProcessEnv): string {
  return env.NASFLOW_TOOLS_DIR ?? join(env.HOME ?? homedir(), '.cache', 'nasflow', 'tools');
}

/** Reads one build's provisioning outcome; never throws (a broken cache reads as a reason). */
function readKeyStatus(toolsDir: string, key: string, flavour: NativeFlavour): NativeStatus {
  const dir = join(toolsDir, 'tfjs-node', key);
  const statusFile = join(dir, 'status.json');
  const failedFile = join(toolsDir, 'tfjs-node', `${key}.failed.json`);
  try {
    if (existsSync(statusFile)) {
      const status = JSON.parse(readFileSync(statusFile, 'utf8')) as Record<string, unknown>;
      // The module path is rebuilt from dir rather than trusted, so a moved cache still loads.
      const module = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
      if (status.ok === true && existsSync(join(module, 'package.json'))) {
        return { ok: true, module, tensorflow: String(status.tensorflow), dir, flavour };
      }
      return { ok: false, reason: `${statusFile} does not describe a complete build` };
    }
    if (existsSync(failedFile)) {
      const failed = JSON.parse(readFileSync(failedFile, 'utf8')) as { reason?: unknown };
      return { ok: false, reason: `provisioning failed: ${String(failed.reason)} (${failedFile})` };
    }
  } catch (err) {
    return { ok: false, reason: `unreadable provisioning status under ${dir}: ${(err as Error).message}` };
  }
  return {
    ok: false,
    reason: `not provisioned (no ${statusFile}); run "npm run provision:tfjs-node"`,
  };
}
