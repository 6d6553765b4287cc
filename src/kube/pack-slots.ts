/**
 * Which pack pod a packed trial attempt runs in (spec `trial.perGpu` > 1; docs/gpu.md "Packing
 * small trials"). Pure: the table is read from and written back to one ConfigMap per search with
 * optimistic concurrency (pack-launcher.ts), so every decision here is a function of the table and
 * of what the caller read from storage, and a lost update race is simply recomputed.
 *
 * The table holds every claim of the search in one object, so "is this attempt already placed?"
 * and "claim a free slot" are one atomic write: a retried or duplicated launch of the same attempt
 * finds its claim and never places it twice. A claim holds its slot until the attempt's exit is
 * recorded; the agent in the pack pod enforces the same bound again (never more than `perGpu`
 * trainers at once), so even a table that over-claims could only queue a trial, never overfill a GPU.
 */
import { stableHash } from '../common/hash.js';

export interface PackTable {
  /** Sequence number of the next pack to create (pack names derive from it, so they never repeat). */
  next: number;
  /** Pack name → the attempt keys it holds, in claim order. */
  packs: Record<string, string[]>;
}

/** What storage says about one pack, read by the caller before it places. */
export interface PackFacts {
  /** The agent wrote its closed record, or the pack Job ended: it starts nothing more. */
  closed: boolean;
  /** Attempt keys whose exit the agent recorded: their slots are free. */
  exited: ReadonlySet<string>;
}

export type Placement = { pack: string; table: PackTable; changed: boolean; created: boolean };

export const EMPTY_TABLE: PackTable = { next: 0, packs: {} };

/** A storage- and label-safe key for one trial attempt. */
export function attemptKey(trialId: string, attempt: number): string {
  return `${stableHash(trialId, 16)}-a${attempt}`;
}

/** The pack holding `key`, if any. */
export function packOf(table: PackTable, key: string): string | undefined {
  return Object.keys(table.packs).find((p) => table.packs[p]!.includes(key));
}

/**
 * Places attempt `key`: where it already is (idempotent), else in the fullest open pack with a free
 * slot (fewest GPUs held), else in a new pack named by `nameOf(sequence)`. Claims whose exit is
 * recorded are dropped on the way, and so are closed packs that hold nothing live.
 */
export function placeAttempt(table: PackTable, key: string, perGpu: number, facts: (pack: string) => PackFacts, nameOf: (seq: number) => string): Placement {
  const held = packOf(table, key);
  if (held !== undefined) return { pack: held, table, changed: false, created: false };
  const packs: Record<string, string[]> = {};
  for (const [pack, keys] of Object.entries(table.packs)) {
    const f = facts(pack);
    const live = keys.filter((k) => !f.exited.has(k));
    if (live.length > 0 || !f.closed) packs[pack] = live;
  }
  const open = Object.keys(packs)
    .filter((p) => !facts(p).closed && packs[p]!.length < perGpu)
    .sort((a, b) => packs[b]!.length - packs[a]!.length || a.localeCompare(b));
  const chosen = open[0];
  if (chosen !== undefined) {
    packs[chosen] = [...packs[chosen]!, key];
    return { pack: chosen, table: { next: table.next, packs }, changed: true, created: false };
  }
  const pack = nameOf(table.next);
  packs[pack] = [key];
  return { pack, table: { next: table.next + 1, packs }, changed: true, created: true };
}

/** The table without `key`'s claim (an attempt its pack closed before starting, to be placed again). */
export function releaseAttempt(table: PackTable, key: string): PackTable {
  const packs: Record<string, string[]> = {};
  for (const [pack, keys] of Object.entries(table.packs)) packs[pack] = keys.filter((k) => k !== key);
  return { next: table.next, packs };
}

/** Reads a table as stored (a ConfigMap data value); a missing one is empty, a damaged one throws (never forget claims). */
export function parsePackTable(text: string | undefined): PackTable {
  if (text === undefined) return EMPTY_TABLE;
  const raw = JSON.parse(text) as Partial<PackTable>;
  const packs: Record<string, string[]> = {};
  for (const [pack, keys] of Object.entries(raw.packs ?? {})) if (Array.isArray(keys)) packs[pack] = keys.filter((k): k is string => typeof k === 'string');
  return { next: typeof raw.next === 'number' ? raw.next : 0, packs };
}
