/**
 * The separate latency step (spec `latency.device: pool`): after the trainer has written a trial's
 * result.json, this process — on the latency device pool's machine or pod — builds the trial's
 * network as it is deployed (drop path off), times inference with the spec's protocol
 * (src/trainer/latency.ts) on the backend loaded here, and adds the figure to result.json with the
 * device and host that measured it. MnasNet (Tan et al. 2019, Sec. 3) measured on phones while
 * training ran elsewhere; this is that split.
 *
 * The network is initialised from the trial's seed rather than loaded from its checkpoint: a dense
 * float network's inference time does not depend on its weight values, and reading the weights
 * would add a checkpoint download per trial to the measuring device's work.
 *
 * Idempotent: a result that already carries a latency-step figure is returned unchanged, so a retry
 * after a crash between writing and exiting measures nothing twice.
 */
import { TRIAL_RESULT } from '../api/store-layout.js';
import { trainedResultSchema, type TrainedResult } from '../api/trial-result.js';
import { putJson } from '../store/object-store.js';
import type { S3Env } from '../store/s3-store.js';
import { parentUri } from '../store/uri.js';
import { loadBackend, type LoadedBackend } from './backend.js';
import { decideDevice, describeDevice, readGpuFacts, type GpuFacts } from './device.js';
import { defaultModelFactory } from './factories.js';
import { measureTrialLatency } from './trial-latency.js';
import { withSeededRandom } from './seeded-random.js';
import { Rng } from '../common/rng.js';
import { openField, previousResult, readSpecJson } from './run-trial.js';
import { parseTrialSpec, trainingHash } from './spec.js';

export interface LatencyStepArgs {
  specUri: string;
  env: S3Env & { NASFLOW_TF_BACKEND?: string };
  log(line: string): void;
  /** Milliseconds, high resolution. */
  now(): number;
  /** Test seam: an already loaded backend. */
  backend?: LoadedBackend;
  gpuFacts?: () => GpuFacts;
}

/** The trainer has not left a result of this spec: storage lost it, or the step ran too early (infrastructure; retried). */
export class MissingTrainedResultError extends Error {
  constructor(where: string) {
    super(
      `no result.json of this trial spec at ${where}: the latency step measures a trial after its trainer has succeeded; train it first (nasflow train --spec …)`,
    );
    this.name = 'MissingTrainedResultError';
  }
}

export async function runLatencyStep(a: LatencyStepArgs): Promise<TrainedResult> {
  const spec = parseTrialSpec(await readSpecJson(a.specUri, a.env), a.specUri);
  const closers: (() => void)[] = [];
  try {
    const out = openField('output', spec.output ?? parentUri(a.specUri), a.env, closers);
    const result = await previousResult(out, trainingHash(spec));
    if (!result) throw new MissingTrainedResultError(out.describe(TRIAL_RESULT));
    if (result.latency?.measuredBy === 'latency-step') {
      a.log(`${out.describe(TRIAL_RESULT)} already has the latency step's figure; not measuring again`);
      return result;
    }
    const backend = a.backend ?? (await loadBackend(a.env.NASFLOW_TF_BACKEND, a.log));
    const device = decideDevice((a.gpuFacts ?? readGpuFacts)(), { backend: backend.backend, usingGpu: backend.usingGpu, flavour: backend.flavour });
    a.log(describeDevice(device));
    const side = spec.recipe.imageSize;
    const deployed = { ...spec, recipe: { ...spec.recipe, dropPathKeepProb: 1 } };
    const built = await withSeededRandom(Rng.seeded(`${spec.seed}/init`), () =>
      defaultModelFactory(backend.tf, deployed, { height: side, width: side, channels: 3 }),
    );
    try {
      const latency = measureTrialLatency(spec, built.model, { backend, device, measuredBy: 'latency-step' }, a.now, a.log);
      const updated = trainedResultSchema.parse(JSON.parse(JSON.stringify({ ...result, latency })));
      await putJson(out, TRIAL_RESULT, updated);
      return updated;
    } finally {
      built.dispose?.();
      built.model.dispose();
    }
  } finally {
    closers.forEach((c) => c());
  }
}
