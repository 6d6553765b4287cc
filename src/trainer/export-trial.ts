/**
 * `nasflow search export`: the k-th best trained network of a search as a standalone model. The
 * trial's network is rebuilt from its trial spec with the trainer's own factory (so the weight
 * order is the one its checkpoints were written in: `model.weights`, see loop.ts), the final
 * checkpoint's weights are written in by position, and the network is saved in the tfjs layers
 * format with its structural weight names, next to its genotype, macro, recipe and result.
 *
 * The saved network has no ScheduledDropPath layers: drop path is the identity at inference, and
 * without it the model loads in any tfjs (`tf.loadLayersModel`) with no custom layer registered.
 * Weights move from the trained graph to that one by name, which the structural names make stable.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { searchPrefix, trialPrefix, trialSpecKey } from '../api/store-layout.js';
import type { TrainedResult } from '../api/trial-result.js';
import { rankTrials, type RankedTrial } from '../search/trial-records.js';
import { isFinalTrialId } from '../common/ids.js';
import { saveModelToDir } from '../models/model-files.js';
import { getJson, isObjectNotFound, withPrefix, type ObjectStore } from '../store/object-store.js';
import type { TF } from './backend.js';
import { findLatestCheckpoint, type Checkpoint } from './checkpoint.js';
import { defaultModelFactory } from './factories.js';
import { parseTrialSpec, trainingHash, type TrialSpec } from './spec.js';

/** Why a trial cannot be exported; the message names the trial and what to do. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export function isExportError(err: unknown): err is ExportError {
  return err instanceof ExportError;
}

// The reading lives with `search report`'s (src/search/trial-records.ts); re-exported for callers of this module.
export { rankTrials, type RankedTrial };

/**
 * The trial at `rank` (1 = best), or an {@link ExportError} saying which ranks exist. Search trials
 * and final trainings (spec `final`, larger networks) are ranked apart: `final` picks among the latter.
 */
export async function trialAtRank(store: ObjectStore, searchId: string, rank: number, final = false): Promise<RankedTrial & { rank: number }> {
  const all = await rankTrials(store, searchId);
  const ranked = all.filter((t) => isFinalTrialId(t.trialId) === final);
  const where = store.describe(`${searchPrefix(searchId)}/trials`);
  if (ranked.length === 0) {
    throw new ExportError(
      final
        ? `search ${searchId} has no finished final training under ${where}; its spec has no "final" stage, or it has not finished one yet (export a search trial without --final)`
        : `search ${searchId} has no finished trial under ${where}; check the search id and the storage URI (the spec's "storage"), or wait for a trial to finish`,
    );
  }
  const picked = ranked[rank - 1];
  if (!Number.isInteger(rank) || rank < 1 || !picked) {
    const what = final ? 'final training(s)' : 'finished trial(s)';
    throw new ExportError(`search ${searchId} has ${ranked.length} ${what}; --rank must be 1..${ranked.length}, received ${rank}`);
  }
  return { ...picked, rank };
}

export interface TrialModel {
  spec: TrialSpec;
  /** The network exactly as the trainer built it (drop path included), holding the checkpoint's weights. */
  model: tfc.LayersModel;
  checkpoint: Checkpoint;
}

/**
 * Rebuilds a trained trial's network from its spec and loads its final checkpoint. Refuses a
 * benchmark trial, a trial without a complete checkpoint, and a checkpoint that is not the one the
 * result was trained to.
 */
export async function loadTrialModel(tf: TF, store: ObjectStore, searchId: string, trialId: string, result: TrainedResult): Promise<TrialModel> {
  const specKey = trialSpecKey(searchId, trialId);
  const spec = parseTrialSpec(await getJson(store, specKey), store.describe(specKey));
  const trial = withPrefix(store, trialPrefix(searchId, trialId));
  const checkpoint = await findLatestCheckpoint(trial);
  if (!checkpoint) {
    throw new ExportError(
      `trial ${trialId} has no complete checkpoint under ${trial.describe('checkpoints')}, so its weights are gone; retrain it: delete ${trial.describe('result.json')} and run: nasflow train --spec ${store.describe(specKey)}`,
    );
  }
  const hash = trainingHash(spec);
  if (checkpoint.state.trainingHash !== hash || checkpoint.state.step !== result.steps) {
    throw new ExportError(
      `trial ${trialId}: the newest checkpoint ${trial.describe(checkpoint.key)} (step ${checkpoint.state.step}, training hash ${checkpoint.state.trainingHash}) is not the end of the training result.json reports (step ${result.steps}, hash ${hash}); retrain the trial to export it`,
    );
  }
  const side = spec.recipe.imageSize;
  const built = await defaultModelFactory(tf, spec, { height: side, width: side, channels: 3 });
  try {
    writeInOrder(tf, built.model, checkpoint, `trial ${trialId} ${trial.describe(checkpoint.key)}`);
  } catch (err) {
    built.model.dispose();
    throw err;
  }
  return { spec, model: built.model, checkpoint };
}

/** Writes checkpoint tensors into `model.weights` by position (the checkpoint's order), checking every shape. */
function writeInOrder(tf: TF, model: tfc.LayersModel, cp: Checkpoint, where: string): void {
  const ws = model.weights;
  if (ws.length !== cp.weights.length)
    throw new ExportError(`${where}: the rebuilt network has ${ws.length} weight tensors, the checkpoint ${cp.weights.length}`);
  ws.forEach((w, i) => {
    const shape = w.read().shape;
    const saved = cp.state.tensors[i];
    if (!saved || saved.shape.join('x') !== shape.join('x')) {
      throw new ExportError(
        `${where}: tensor ${i} (${w.originalName}) has shape [${shape.join(', ')}], the checkpoint [${saved?.shape.join(', ') ?? 'nothing'}]`,
      );
    }
    tf.tidy(() => {
      w.write(tf.tensor(cp.weights[i]!, shape)); // cp.weights has ws.length entries, checked above
    });
  });
}

/** The trained network without drop-path layers, holding the same weights (matched by name). */
async function inferenceModel(tf: TF, trained: TrialModel): Promise<tfc.LayersModel> {
  const spec = { ...trained.spec, recipe: { ...trained.spec.recipe, dropPathKeepProb: 1 } };
  const side = spec.recipe.imageSize;
  const built = await defaultModelFactory(tf, spec, { height: side, width: side, channels: 3 });
  const byName = new Map(trained.model.weights.map((w) => [w.originalName, w]));
  for (const w of built.model.weights) {
    const source = byName.get(w.originalName);
    if (!source) {
      built.model.dispose();
      throw new ExportError(`weight ${w.originalName} of the inference network has no counterpart in the trained network`);
    }
    tf.tidy(() => {
      w.write(source.read().clone());
    });
  }
  return built.model;
}

export interface ExportArgs {
  tf: TF;
  /** A store rooted at the search's storage URI. */
  store: ObjectStore;
  searchId: string;
  /** 1 = the best trial. Default: 1. */
  rank?: number;
  /** Rank the final trainings (spec `final`) instead of the search trials. Default: false. */
  final?: boolean;
  /** Local directory for model.json, weights.bin and the JSON files. */
  outDir: string;
}

export interface ExportedTrial {
  searchId: string;
  trialId: string;
  rank: number;
  /** Validation accuracy in percent. */
  accuracy: number;
  checkpoint: string;
  outDir: string;
  files: string[];
  /** The saved weights' names, in model.json order. */
  weightNames: string[];
}

export async function exportTrial(a: ExportArgs): Promise<ExportedTrial> {
  const picked = await trialAtRank(a.store, a.searchId, a.rank ?? 1, a.final ?? false);
  if (picked.result.kind !== 'trained') {
    throw new ExportError(
      `trial ${picked.trialId} (rank ${picked.rank}) was answered by the ${picked.result.benchmark} benchmark table, not trained: it has no weights to export; export a search whose evaluator is "train"`,
    );
  }
  const trained = await loadTrialModel(a.tf, a.store, a.searchId, picked.trialId, picked.result).catch((err: unknown) => {
    throw isObjectNotFound(err) ? new ExportError(`trial ${picked.trialId} has a result but no spec.json: ${err.message}`) : err;
  });
  let model: tfc.LayersModel | undefined;
  try {
    model = await inferenceModel(a.tf, trained);
    await saveModelToDir(a.tf, model, a.outDir);
    const { spec } = trained;
    const checkpoint = a.store.describe(`${trialPrefix(a.searchId, picked.trialId)}/${trained.checkpoint.key}`);
    const side = spec.recipe.imageSize;
    const json: Record<string, unknown> = {
      'genotype.json': { space: spec.space, genotype: spec.genotype },
      'macro.json': spec.macro,
      'recipe.json': spec.recipe,
      'result.json': picked.result,
      'export.json': {
        searchId: a.searchId,
        trialId: picked.trialId,
        rank: picked.rank,
        accuracy: picked.accuracy,
        checkpoint,
        step: trained.checkpoint.state.step,
        inputShape: [side, side, 3],
        outputs: model.outputs.length === 1 ? ['logits'] : ['logits', 'aux_logits'],
      },
    };
    await mkdir(a.outDir, { recursive: true });
    for (const [name, value] of Object.entries(json)) await writeFile(join(a.outDir, name), `${JSON.stringify(value, null, 2)}\n`);
    return {
      searchId: a.searchId,
      trialId: picked.trialId,
      rank: picked.rank,
      accuracy: picked.accuracy,
      checkpoint,
      outDir: a.outDir,
      files: ['model.json', 'weights.bin', ...Object.keys(json)],
      weightNames: model.weights.map((w) => w.originalName),
    };
  } finally {
    model?.dispose();
    trained.model.dispose();
  }
}
