/**
 * The newest algorithm state of a search as its store holds it (`searches/<id>/state/<version>.json`,
 * src/api/store-layout.ts), for reports: the highest version wins, a step record restored from its
 * snapshot (src/search/state-ledger.ts). Read through the store interface only, so it answers from
 * s3:// as well as a local path; a search without a readable state answers undefined (the report then
 * says so).
 */
import { searchPrefix, searchSpecKey } from '../api/store-layout.js';
import type { AlgorithmState } from '../algorithms/types.js';
import type { SearchSpec } from '../api/search-spec.js';
import { getJson, type ObjectStore } from '../store/object-store.js';
import { spaceFor } from './algorithm-from-spec.js';
import { isStepRecord, loadAt } from './state-ledger.js';

const VERSION = /\/state\/(\d+)\.json$/;

export interface StoredState {
  version: number;
  state: AlgorithmState;
}

/** The highest-versioned state that parses as JSON with an algorithm name, or undefined. */
export async function readLatestState(store: ObjectStore, searchId: string): Promise<StoredState | undefined> {
  const versions = (await store.list(`${searchPrefix(searchId)}/state/`))
    .flatMap((key) => {
      const m = VERSION.exec(key);
      return m ? [{ key, version: Number(m[1]) }] : [];
    })
    .sort((a, b) => b.version - a.version);
  // A version being written may not parse yet: fall back to the one before it.
  for (const v of versions.slice(0, 3)) {
    const record = await getJson(store, v.key).catch(() => undefined);
    if (isStepRecord(record)) {
      const state = await stateOfStep(store, searchId, v.version).catch(() => undefined);
      if (state) return { version: v.version, state };
      continue;
    }
    const state = record as AlgorithmState | undefined;
    if (state && typeof state === 'object' && typeof state.algorithm === 'string') return { version: v.version, state };
  }
  return undefined;
}

async function stateOfStep(store: ObjectStore, searchId: string, version: number): Promise<AlgorithmState> {
  const spec = (await getJson(store, searchSpecKey(searchId))) as SearchSpec;
  return (await loadAt(store, searchId, version, spaceFor(spec))).algorithm.state();
}
