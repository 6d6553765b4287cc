/**
 * Trains one tiny trial with the real trainer into a store laid out as a search writes it: the
 * trial spec (examples/trial-tiny.json with the caller's macro, recipe overrides, dataset and seed)
 * at its search key, checkpoints and result.json under the trial's prefix.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as layout from '../../src/api/store-layout.js';
import type { TrainedResult } from '../../src/api/trial-result.js';
import { putJson, type ObjectStore } from '../../src/store/object-store.js';
import type { LoadedBackend } from '../../src/trainer/backend.js';
import { defaultModelFactory } from '../../src/trainer/factories.js';
import { runTrial } from '../../src/trainer/run-trial.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'trial-tiny.json');

export interface TinyTrial {
  /** The store the search writes to, and its local path (`storage`). */
  store: ObjectStore;
  storage: string;
  searchId: string;
  trialId: string;
  macro: Record<string, unknown>;
  /** Overrides of the example's recipe. */
  recipe: Record<string, unknown>;
  dataset: string;
  seed: number;
  backend: LoadedBackend;
}

export async function trainTinyTrial(t: TinyTrial): Promise<TrainedResult> {
  const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as { recipe: Record<string, unknown> };
  const spec = {
    ...example,
    trialId: t.trialId,
    macro: t.macro,
    recipe: { ...example.recipe, ...t.recipe },
    dataset: t.dataset,
    output: pathToFileURL(join(t.storage, layout.trialPrefix(t.searchId, t.trialId))).href,
    seed: t.seed,
  };
  await putJson(t.store, layout.trialSpecKey(t.searchId, t.trialId), spec);
  return runTrial({
    specUri: join(t.storage, layout.trialSpecKey(t.searchId, t.trialId)),
    env: {},
    buildModel: defaultModelFactory,
    shouldStop: () => false,
    now: () => performance.now(),
    log: () => undefined,
    backend: t.backend,
  });
}
