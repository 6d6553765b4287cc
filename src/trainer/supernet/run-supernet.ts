/**
 * One PONAS one-shot trial (see ./spec.ts): builds the supernet, trains it along sampled paths
 * with the trainer's checkpoint/resume/SIGTERM machinery, saves `supernet.bin` for the next
 * trial, and for a progressive step writes the layer's accuracy-table row to `row.json`;
 * `result.json` comes last.
 */
import type * as tfc from '@tensorflow/tfjs';
import { Rng } from '../../common/rng.js';
import { PONAS_CANDIDATES } from '../../space/ponas.js';
import { getJson, isObjectNotFound, putJson, type ObjectStore } from '../../store/object-store.js';
import { TRIAL_RESULT } from '../../api/store-layout.js';
import { parentUri } from '../../store/uri.js';
import type { TF } from '../backend.js';
import type { ImageSet } from '../cifar-format.js';
import { BadSpecError } from '../errors.js';
import { supernetResultSchema, type SupernetResult } from '../../api/trial-result.js';
import { loadDataAndBackend, openField, readSpecJson, type RunTrialArgs } from '../run-trial.js';
import { PonasSupernet } from './ponas-supernet.js';
import { parseSupernetSpec, supernetHash, type SupernetSpec } from './spec.js';
import { trainSupernet, evaluatePath } from './supernet-loop.js';

export const SUPERNET_WEIGHTS = 'supernet.bin';
export const SUPERNET_INDEX = 'supernet.json';
export const TABLE_ROW = 'row.json';

export async function runSupernetTrial(a: Omit<RunTrialArgs, 'buildModel'>): Promise<SupernetResult> {
  const started = a.now();
  const spec = parseSupernetSpec(await readSpecJson(a.specUri, a.env), a.specUri);
  const datasetUri = a.datasetUri ?? spec.dataset;
  if (datasetUri === undefined) throw new BadSpecError(`${a.specUri}#dataset`, 'missing; set "dataset" in the spec or pass --dataset');
  const closers: (() => void)[] = [];
  try {
    const out = openField('output', a.outUri ?? spec.output ?? parentUri(a.specUri), a.env, closers);
    const hash = supernetHash(spec);
    const previous = supernetResultSchema.safeParse(await getJson(out, TRIAL_RESULT).catch(() => null));
    if (previous.success && previous.data.trainingHash === hash) return previous.data;
    const { data, backend, device } = await loadDataAndBackend(a, datasetUri, spec.supernet.classes, spec.recipe, closers);
    const { tf } = backend;
    const net = new PonasSupernet(tf, spec.supernet, Rng.seeded(`${spec.seed}/init`));
    try {
      const init = spec.phase.type === 'progressive' ? openField('phase.init', spec.phase.init, a.env, closers) : undefined;
      const loop = await trainSupernet({
        tf,
        net,
        spec,
        data,
        out,
        hash,
        loadInit: init ? () => loadSupernetWeights(tf, net, init, spec.phase.type === 'progressive' ? spec.phase.init : '') : undefined,
        shouldStop: a.shouldStop,
        now: a.now,
        log: a.log,
      });
      await saveSupernetWeights(net, out);
      const { row, valAccuracy } = await evaluateSupernet(tf, net, spec, data.val, out);
      const result = supernetResultSchema.parse({
        schemaVersion: 1,
        kind: 'ponas-supernet',
        trialId: spec.trialId,
        phase: spec.phase.type,
        trainingHash: hash,
        steps: loop.steps,
        lossCurve: loop.lossCurve,
        valAccuracy,
        row,
        backend: backend.backend,
        backendPackage: backend.pkg,
        device,
        resumedFrom: loop.resumedFrom,
        wallSeconds: (a.now() - started) / 1000,
        imagesPerSecond: loop.seconds > 0 ? loop.images / loop.seconds : 0,
      });
      await putJson(out, TRIAL_RESULT, result);
      return result;
    } finally {
      net.dispose();
    }
  } finally {
    closers.forEach((c) => c());
  }
}

/**
 * Progressive step: every candidate of the layer, each averaged over the same random
 * completions of the later layers (a fair comparison), written as the table row. Meta: the
 * mean accuracy of three random paths.
 */
async function evaluateSupernet(
  tf: TF,
  net: PonasSupernet,
  spec: SupernetSpec,
  val: ImageSet,
  out: ObjectStore,
): Promise<Pick<SupernetResult, 'row' | 'valAccuracy'>> {
  const evalRng = Rng.seeded(`${spec.seed}/eval`);
  const side = spec.recipe.imageSize;
  const slots = spec.supernet.candidates.length;
  const randomPath = (length: number): number[] => Array.from({ length }, () => evalRng.int(slots));
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  if (spec.phase.type !== 'progressive') {
    const paths = [0, 1, 2].map(() => randomPath(net.layerCount));
    return { valAccuracy: mean(paths.map((p) => evaluatePath(tf, net, val, side, p))) };
  }
  const { layer, fixed, evalPaths } = spec.phase;
  const tails = Array.from({ length: evalPaths }, () => randomPath(net.layerCount - layer - 1));
  const accuracies = spec.supernet.candidates.map((candidate, slot) => ({
    slot,
    candidate,
    accuracy: mean(tails.map((tail) => evaluatePath(tf, net, val, side, [...fixed, slot, ...tail]))),
  }));
  await putJson(out, TABLE_ROW, { layer, fixed, candidates: spec.supernet.candidates.map((c) => PONAS_CANDIDATES[c]), accuracies });
  return { row: { layer, accuracies }, valAccuracy: mean(accuracies.map((a) => a.accuracy)) };
}

/** Final weights for the next trial of the chain: float32 values in variable order, plus an index. */
async function saveSupernetWeights(net: PonasSupernet, out: ObjectStore): Promise<void> {
  const arrays = net.variables.map((v) => v.variable.dataSync() as Float32Array);
  const all = new Float32Array(arrays.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of arrays) {
    all.set(x, at);
    at += x.length;
  }
  await out.put(SUPERNET_WEIGHTS, new Uint8Array(all.buffer));
  await putJson(
    out,
    SUPERNET_INDEX,
    net.variables.map((v) => ({ name: v.name, shape: v.variable.shape })),
  );
}

async function loadSupernetWeights(tf: TF, net: PonasSupernet, from: ObjectStore, uri: string): Promise<void> {
  let index: { name: string; shape: number[] }[];
  let bytes: Uint8Array;
  try {
    index = (await getJson(from, SUPERNET_INDEX)) as typeof index;
    bytes = await from.get(SUPERNET_WEIGHTS);
  } catch (err) {
    if (isObjectNotFound(err)) throw new BadSpecError('phase.init', `${uri} holds no ${SUPERNET_WEIGHTS}; point it at a finished supernet trial's output`);
    throw err;
  }
  const same =
    index.length === net.variables.length &&
    index.every((e, i) => {
      const v = net.variables[i];
      return v?.name === e.name && e.shape.join() === v.variable.shape.join();
    });
  if (!same) throw new BadSpecError('phase.init', `${uri} holds a supernet of another shape (supernet args differ)`);
  const all = new Float32Array(bytes.slice().buffer);
  let at = 0;
  for (const v of net.variables) {
    const start = at;
    tf.tidy(() => v.variable.assign(tf.tensor(all.subarray(start, start + v.variable.size), v.variable.shape) as tfc.Tensor));
    at += v.variable.size;
  }
}
