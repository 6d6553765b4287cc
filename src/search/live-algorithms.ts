/**
 * The worker's live algorithms between steps, so that a search's next step continues the object the
 * last one left (or catches it up by the steps other workers took since) instead of restoring the stored
 * state (src/search/state-ledger.ts). An entry is taken
 * out for a step and put back only after its version was stored: a step that fails, or runs twice at
 * once after a timeout, restores from the store instead of continuing a half-applied object.
 */
import type { LedgerPosition } from './state-ledger.js';

/** Searches a worker keeps live at once; the least recently stepped one is dropped beyond it. */
export const LIVE_SEARCHES = 8;

export class LiveAlgorithms {
  private readonly entries = new Map<string, LedgerPosition<unknown>>();

  constructor(private readonly capacity = LIVE_SEARCHES) {}

  /**
   * The live algorithm of `search` at `version` or before it (the caller catches it up with the steps
   * other workers stored since), removed from the cache; undefined when there is none or it is ahead.
   */
  take<G>(search: string, version: number): LedgerPosition<G> | undefined {
    const entry = this.entries.get(search);
    this.entries.delete(search);
    return entry && entry.version <= version ? (entry as LedgerPosition<G>) : undefined;
  }

  put<G>(search: string, position: LedgerPosition<G>): void {
    this.entries.delete(search); // re-inserted last: Map order is the recency order
    this.entries.set(search, position as LedgerPosition<unknown>);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
