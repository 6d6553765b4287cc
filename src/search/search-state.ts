/**
 * The newest algorithm state of a search as its store holds it (`searches/<id>/state/<version>.json`,
 * src/api/store-layout.ts), for reports: the highest version wins. Read through the store interface
 * only, so it answers from s3:// as well as a local path; a search without a readable state answers
 * undefined (the report then says so).
 */
import { searchPrefix } from '../api/store-layout.js';
import type { AlgorithmState } from '../algorithms/types.js';
import { getJson, type ObjectStore } from '../store/object-store.js';

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
    const state = (await getJson(store, v.key).catch(() => undefined)) as AlgorithmState | undefined;
    if (state && typeof state === 'object' && typeof state.algorithm === 'string') return { version: v.version, state };
  }
  return undefined;
}
