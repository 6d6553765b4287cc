/**
 * Runs scripts/provision-tfjs-node.sh when the tools cache has neither a native build nor a
 * recorded failure, so a test or benchmark on a fresh machine provisions once (about a minute)
 * and every later run reads the cached outcome (the script itself is a fast no-op when done).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readNativeStatus, NATIVE_KEY, type NativeStatus } from './native-cache.js';

export interface ProvisionArgs {
  /** Repository root holding scripts/provision-tfjs-node.sh. */
  repoRoot: string;
  /** Tools cache root. */
  toolsDir: string;
  /** Give up after this long. Default: 600000 (10 minutes). */
  timeoutMs?: number;
}

/** Provisions if nothing was attempted yet, then returns the status the cache holds. */
export function ensureNativeProvisioned(args: ProvisionArgs): NativeStatus {
  const status = readNativeStatus(args.toolsDir);
  const failed = join(args.toolsDir, 'tfjs-node', `${NATIVE_KEY}.failed.json`);
  if (status.ok || existsSync(failed)) return status;
  const script = join(args.repoRoot, 'scripts', 'provision-tfjs-node.sh');
  const run = spawnSync('bash', [script], {
    env: { ...process.env, NASFLOW_TOOLS_DIR: args.toolsDir },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: args.timeoutMs ?? 600_000,
  });
  if (run.error) return { ok: false, reason: `could not run ${script}: ${run.error.message}` };
  return readNativeStatus(args.toolsDir);
}
