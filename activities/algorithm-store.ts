/**
 * Reading a stored object that may not exist yet: the activities' "is this step already done?"
 * check (a retried activity finds what its first try wrote and reuses it). The algorithm state's own
 * layout is src/search/state-ledger.ts.
 */
import { getJson, isObjectNotFound, type ObjectStore } from '../src/store/object-store.js';

/** The stored JSON at `key`, or undefined when it does not exist yet. */
export async function readIfExists<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  try {
    return (await getJson(store, key)) as T;
  } catch (err) {
    if (isObjectNotFound(err)) return undefined;
    throw err;
  }
}
