/**
 * A trained trial's `latency` record: the spec's protocol (src/api/latency-spec.ts; defaults when
 * the spec names none) at batch 1 and the spec's batch, timed by measureLatency on the loaded
 * backend, with who measured it and where. Shared by the trainer (after training) and the separate
 * latency step (src/trainer/latency-step.ts), so both write the same record.
 */
import { hostname } from 'node:os';
import type * as tfc from '@tensorflow/tfjs';
import type { Device, Latency } from '../api/trial-result.js';
import type { TrialSpec } from '../api/trial-spec.js';
import type { LoadedBackend } from './backend.js';
import { describeLatency, measureLatency } from './latency.js';

export function measureTrialLatency(
  spec: TrialSpec,
  model: tfc.LayersModel,
  on: { backend: LoadedBackend; device: Device; measuredBy: 'trainer' | 'latency-step' },
  now: () => number,
  log: (line: string) => void,
): Latency {
  const protocol = spec.latency ? { warmup: spec.latency.warmup, runs: spec.latency.runs } : {};
  const measured = measureLatency(on.backend.tf, model, { batches: [1, spec.recipe.batchSize], imageSize: spec.recipe.imageSize, now, ...protocol });
  log(describeLatency(measured, `${on.backend.backend} (${on.backend.pkg})`));
  return { backend: on.backend.backend, backendPackage: on.backend.pkg, device: on.device, ...measured, measuredBy: on.measuredBy, host: hostname() };
}
