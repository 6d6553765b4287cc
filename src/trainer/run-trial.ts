/**
 * One trial end to end: read and validate the spec, pick a backend, load the data, build the
 * model, train (resuming if checkpoints exist), evaluate, and write `result.json` last. Errors
 * leave as the classified types of ./errors.ts; the CLI turns them into exit codes.
 */
import { getJson, isObjectNotFound, putJson, type ObjectStore } from '../store/object-store.js';
import { TRIAL_RESULT } from '../api/store-layout.js';
import { isInvalidUri, openPrefix, openUri, parentUri, parseStoreUri } from '../store/uri.js';
import type { S3Env } from '../store/s3-store.js';
import { loadBackend, type LoadedBackend } from './backend.js';
import { loadCifarDataset, type DatasetSplits } from './dataset.js';
import { loadImageFolderDataset, looksLikeImageFolder } from './image-folder-dataset.js';
import { BadSpecError, GpuRequiredError } from './errors.js';
import { decideDevice, describeDevice, gpuRequiredMessage, readGpuFacts, type Device, type GpuFacts } from './device.js';
import { batchesOf, trainLoop } from './loop.js';
import type { ModelFactory } from './model.js';
import { TRIAL_RESULT_VERSION, trainedResultSchema, type TrainedResult } from '../api/trial-result.js';
import { withSeededRandom } from './seeded-random.js';
import { evaluate } from './steps.js';
import { measureTrialLatency } from './trial-latency.js';
import { Rng } from '../common/rng.js';
import { parseTrialSpec, trainingHash, type TrialSpec } from './spec.js';

export interface RunTrialArgs {
  specUri: string;
  /** Overrides the spec's `dataset`. */
  datasetUri?: string;
  /** Overrides the spec's `output` (default: the spec's directory). */
  outUri?: string;
  env: S3Env & { NASFLOW_TF_BACKEND?: string };
  buildModel: ModelFactory;
  shouldStop(): boolean;
  now(): number;
  log(msg: string): void;
  /** An already loaded backend (tests); default: {@link loadBackend}. */
  backend?: LoadedBackend;
  /** Exit 2 instead of training on the CPU (`--require-gpu`, NASFLOW_REQUIRE_GPU=1 from the trial Job). */
  requireGpu?: boolean;
  /** What the container sees of NVIDIA GPUs (tests); default: {@link readGpuFacts}. */
  gpuFacts?: () => GpuFacts;
}

export async function runTrial(a: RunTrialArgs): Promise<TrainedResult> {
  const started = a.now();
  const spec = await readSpec(a.specUri, a.env);
  const datasetUri = a.datasetUri ?? spec.dataset;
  if (datasetUri === undefined) throw new BadSpecError(`${a.specUri}#dataset`, 'missing; set "dataset" in the spec or pass --dataset');
  const outUri = a.outUri ?? spec.output ?? parentUri(a.specUri);
  const closers: (() => void)[] = [];
  try {
    const out = openField('output', outUri, a.env, closers);
    const hash = trainingHash(spec);
    const previous = await previousResult(out, hash);
    if (previous) {
      a.log(`result.json for this spec already exists at ${out.describe(TRIAL_RESULT)}; not training again`);
      return previous;
    }
    const { data, backend, device } = await loadDataAndBackend(a, datasetUri, spec.macro.classes, spec.recipe, closers);
    const { tf } = backend;
    const side = spec.recipe.imageSize;
    const input = { height: side, width: side, channels: 3 };
    const built = await withSeededRandom(Rng.seeded(`${spec.seed}/init`), () => a.buildModel(tf, spec, input));
    try {
      a.log(
        `training ${spec.space} (${built.params} params) on ${backend.backend} (${backend.pkg}): ${data.train.count} train / ${data.val.count} val images at ${side}x${side}`,
      );
      const loop = await trainLoop({ tf, built, spec, data, out, shouldStop: a.shouldStop, now: a.now, log: a.log });
      const result = makeResult(spec, hash, loop, data, backend, device, built, (a.now() - started) / 1000);
      if (data.test) {
        result.testAccuracy = evaluate(tf, built.model, batchesOf(data.test, side), side, spec.macro.classes).accuracy;
      }
      if (spec.latency?.device === 'pool') {
        a.log('inference latency: measured by the separate latency step (spec latency.device pool), not here');
      } else {
        result.latency = measureTrialLatency(spec, built.model, { backend, device, measuredBy: 'trainer' }, a.now, a.log);
      }
      // Through JSON so that the returned object equals what a reader of result.json sees.
      const checked = trainedResultSchema.parse(JSON.parse(JSON.stringify(result)));
      await putJson(out, TRIAL_RESULT, checked);
      return checked;
    } finally {
      built.dispose?.();
      built.model.dispose();
    }
  } finally {
    closers.forEach((c) => c());
  }
}

async function readSpec(uri: string, env: S3Env): Promise<TrialSpec> {
  return parseTrialSpec(await readSpecJson(uri, env), uri);
}

/** Reads the JSON at a spec URI; a missing, unreadable or malformed spec is a {@link BadSpecError}. */
/**
 * The dataset splits a trial trains on, the tfjs backend it trains with and the device under it
 * (child and supernet trials alike). A trial that requires a GPU and would train on the CPU stops
 * here with a {@link GpuRequiredError}, before any training.
 */
export async function loadDataAndBackend(
  a: Pick<RunTrialArgs, 'env' | 'backend' | 'log' | 'requireGpu' | 'gpuFacts'>,
  datasetUri: string,
  classes: number,
  recipe: { valFraction: number; maxTrainSamples: number },
  closers: (() => void)[],
): Promise<{ data: DatasetSplits; backend: LoadedBackend; device: Device }> {
  const split = { classes, valFraction: recipe.valFraction, maxTrainSamples: recipe.maxTrainSamples };
  // An image folder needs the backend to decode; CIFAR binary is read (and refused) before tfjs loads.
  const folder = localImageFolder(datasetUri);
  const cifar = (await looksLikeImageFolder(folder)) ? undefined : await loadCifarDataset(openField('dataset', datasetUri, a.env, closers), datasetUri, split);
  const backend = a.backend ?? (await loadBackend(a.env.NASFLOW_TF_BACKEND, a.log));
  const data = cifar ?? (await loadImageFolderDataset(backend.tf, backend.pkg, folder, datasetUri, split));
  const device = decideDevice((a.gpuFacts ?? readGpuFacts)(), { backend: backend.backend, usingGpu: backend.usingGpu, flavour: backend.flavour });
  a.log(describeDevice(device));
  if (a.requireGpu && device.kind === 'cpu') throw new GpuRequiredError(gpuRequiredMessage(device));
  return { data, backend, device };
}

/** The local path a dataset URI names, or '' for s3:// and invalid URIs (those go to the CIFAR reader, which reports them). */
function localImageFolder(uri: string): string {
  try {
    const loc = parseStoreUri(uri);
    return loc.kind === 'file' ? loc.path : '';
  } catch {
    return '';
  }
}

export async function readSpecJson(uri: string, env: S3Env): Promise<unknown> {
  let json: unknown;
  let opened;
  try {
    opened = openUri(uri, env);
  } catch (err) {
    if (isInvalidUri(err)) throw new BadSpecError('--spec', err.message);
    throw err;
  }
  try {
    json = await getJson(opened.store, opened.key);
  } catch (err) {
    if (isObjectNotFound(err)) throw new BadSpecError('--spec', `${uri} does not exist`);
    if (err instanceof SyntaxError) throw new BadSpecError('--spec', `${uri} is not valid JSON: ${err.message}`);
    throw err;
  } finally {
    opened.close();
  }
  return json;
}

export function openField(field: string, uri: string, env: S3Env, closers: (() => void)[]): ObjectStore {
  try {
    const opened = openPrefix(uri, env);
    closers.push(opened.close);
    return opened.store;
  } catch (err) {
    if (isInvalidUri(err)) throw new BadSpecError(field, err.message);
    throw err;
  }
}

export async function previousResult(out: ObjectStore, hash: string): Promise<TrainedResult | null> {
  try {
    const parsed = trainedResultSchema.safeParse(await getJson(out, TRIAL_RESULT));
    return parsed.success && parsed.data.trainingHash === hash ? parsed.data : null;
  } catch (err) {
    if (isObjectNotFound(err) || err instanceof SyntaxError) return null;
    throw err;
  }
}

function makeResult(
  spec: TrialSpec,
  hash: string,
  loop: Awaited<ReturnType<typeof trainLoop>>,
  data: DatasetSplits,
  backend: LoadedBackend,
  device: Device,
  built: { params: number; multAdds?: number },
  wallSeconds: number,
): TrainedResult {
  const last = loop.history.at(-1);
  if (!last) throw new Error('training ended without an epoch record (recipe.epochs is at least 1)');
  return {
    schemaVersion: TRIAL_RESULT_VERSION,
    kind: 'trained',
    trialId: spec.trialId,
    space: spec.space,
    trainingHash: hash,
    valAccuracy: last.valAccuracy,
    valLoss: last.valLoss,
    epochs: loop.history,
    finalTrainLoss: last.trainLoss,
    params: built.params,
    multAdds: built.multAdds,
    steps: loop.steps,
    wallSeconds,
    imagesPerSecond: loop.seconds > 0 ? loop.images / loop.seconds : 0,
    backend: backend.backend,
    backendPackage: backend.pkg,
    device,
    resumedFrom: loop.resumedFrom,
    trainSamples: data.train.count,
    valSamples: data.val.count,
    imageSize: spec.recipe.imageSize,
    seed: spec.seed,
  };
}
