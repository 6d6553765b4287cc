/**
 * The final stage (src/search/final-stage.ts) as an activity: write the trial specs that retrain
 * the search's best architectures at the final size. The trials then run through the same
 * launch/await activities as search trials.
 */
import { finalTrialId } from '../src/common/ids.js';
import { trialSpecSchema } from '../src/api/trial-spec.js';
import type { SearchSpec } from '../src/api/search-spec.js';
import { trialPrefix, trialSpecKey } from '../src/api/store-layout.js';
import { finalSizeText, finalTrialSpec } from '../src/search/final-stage.js';
import { putJson } from '../src/store/object-store.js';
import { readIfExists } from './algorithm-store.js';
import type { SearchActivityDeps } from './search.activities.js';
import { trialSeed } from './trial-seed.js';

/** A source trial whose spec is gone or unreadable: retrying cannot bring it back. */
export class FinalStageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FinalStageError';
  }
}

export function createFinalStageActivities(deps: Pick<SearchActivityDeps, 'openStorage'>) {
  /**
   * Writes one final trial spec per source trial, in rank order (`<searchId>/final/<k>`), and
   * returns their ids with the final size in words. Deterministic, so a retry writes the same specs.
   */
  async function prepareFinalTrials({
    searchId,
    spec,
    sources,
  }: {
    searchId: string;
    spec: SearchSpec;
    sources: string[];
  }): Promise<{ trialIds: string[]; size: string }> {
    const { store, uriOf } = deps.openStorage(spec.storage);
    const ids: string[] = [];
    for (const [k, source] of sources.entries()) {
      const raw = await readIfExists<unknown>(store, trialSpecKey(searchId, source));
      const parsed = trialSpecSchema.safeParse(raw);
      if (!parsed.success) {
        throw new FinalStageError(
          `final stage: the spec of ${source} is ${raw === undefined ? 'missing' : 'unreadable'} at ${uriOf(trialSpecKey(searchId, source))}`,
        );
      }
      const trialId = finalTrialId(searchId, k);
      const body = finalTrialSpec(spec, parsed.data, { trialId, outputUri: uriOf(trialPrefix(searchId, trialId)), seed: trialSeed(spec.seed, trialId) });
      await putJson(store, trialSpecKey(searchId, trialId), body);
      ids.push(trialId);
    }
    return { trialIds: ids, size: finalSizeText(spec) };
  }
  return { prepareFinalTrials };
}
