/** Wires the search activities to real stores and launchers (process wiring; reads no globals itself). */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SearchActivityDeps } from '../../activities/search.activities.js';
import { BenchmarkLauncher } from '../launch/benchmark-launcher.js';
import type { Launcher } from '../launch/launcher.js';
import { LocalLauncher } from '../launch/local-launcher.js';
import { LatencyStepLauncher } from '../launch/latency-step-launcher.js';
import { join } from 'node:path';
import type { SearchSpec } from '../api/search-spec.js';
import { withPrefix, type ObjectStore } from '../store/object-store.js';
import { openUri } from '../store/uri.js';

export interface SearchDepsOptions {
  env: NodeJS.ProcessEnv;
  /** Folder for local launch records and trial logs. */
  workDir: string;
  /** Trials the local launcher runs at once. Default: 1. */
  maxLocalTrials?: number;
  pollIntervalMs?: number;
  /** Launcher for trained trials; defaults to local processes. */
  trainLauncher?: Launcher;
}

export const CLI_ENTRY = fileURLToPath(new URL('../../../bin/nasflow.js', import.meta.url));

export function createSearchDeps(opts: SearchDepsOptions): SearchActivityDeps {
  const stores = new Map<string, { store: ObjectStore; uriOf(key: string): string }>();
  const openStorage = (uri: string): { store: ObjectStore; uriOf(key: string): string } => {
    let opened = stores.get(uri);
    if (!opened) {
      const raw = openUri(uri, opts.env);
      const base = uri.startsWith('s3://') || uri.startsWith('file://') ? uri.replace(/\/+$/, '') : `file://${uri.replace(/\/+$/, '')}`;
      opened = { store: withPrefix(raw.store, raw.key), uriOf: (key) => `${base}/${key}` };
      stores.set(uri, opened);
    }
    return opened;
  };
  // Trials with a latency pool (spec latency.device pool) measure in a second local process after
  // training; a Kubernetes launcher brings its own latency Jobs (createKubeLauncherFromEnv).
  const local =
    opts.trainLauncher ??
    new LatencyStepLauncher(
      new LocalLauncher({
        workDir: opts.workDir,
        command: [process.execPath, CLI_ENTRY, 'train'],
        env: opts.env,
        maxConcurrent: opts.maxLocalTrials ?? 1,
      }),
      // One at a time: a measurement that shares the machine with another measures the sharing.
      new LocalLauncher({ workDir: join(opts.workDir, 'latency-step'), command: [process.execPath, CLI_ENTRY, 'latency', 'measure'], env: opts.env }),
    );
  const benchmark = new BenchmarkLauncher({ store: (spec) => openStorage(spec.storage).store, now: () => Date.now() });
  const benchmarkProcesses = new LocalLauncher({
    workDir: opts.workDir,
    command: [process.execPath, CLI_ENTRY, 'bench-trial'],
    env: opts.env,
    maxConcurrent: opts.maxLocalTrials ?? 1,
  });
  const launcherFor = (spec: SearchSpec): Launcher => {
    if (spec.evaluator.type === 'train') return local;
    return spec.evaluator.runAs === 'process' ? benchmarkProcesses : benchmark;
  };
  return {
    openStorage,
    launcherFor,
    pollIntervalMs: opts.pollIntervalMs,
    sleep: (ms) => sleep(ms),
  };
}
