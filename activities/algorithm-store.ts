/**
 * Algorithm state in the object store under versioned keys (docs/design.md layout): version N is
 * written once by the activity that produced it; a retried activity finds it and reuses it, so
 * each version's content is decided exactly once.
 */
import type { AlgorithmState } from '../src/algorithms/types.js';
import { getJson, isObjectNotFound, putJson, type ObjectStore } from '../src/store/object-store.js';
import { stateKey } from '../src/api/store-layout.js';

export async function loadState(store: ObjectStore, searchId: string, version: number): Promise<AlgorithmState> {
  return (await getJson(store, stateKey(searchId, version))) as AlgorithmState;
}

export async function saveState(store: ObjectStore, searchId: string, version: number, state: AlgorithmState): Promise<void> {
  await putJson(store, stateKey(searchId, version), state);
}

/** The stored JSON at `key`, or undefined when it does not exist yet. */
export async function readIfExists<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  try {
    return (await getJson(store, key)) as T;
  } catch (err) {
    if (isObjectNotFound(err)) return undefined;
    throw err;
  }
}
