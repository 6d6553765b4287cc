/**
 * Algorithm state as a ledger: version N of a search's state (`state/<N>.json`, src/api/store-layout.ts)
 * is either a snapshot (the full `AlgorithmState`) or a step record (the step's input and the version
 * of the snapshot it builds on). A step costs what the step holds, not what the search has done: at
 * 20,000 NASNet trials a snapshot is ~18 MB and takes seconds to restore, a step record a few KB.
 *
 * Version N is restored by restoring its snapshot and applying the steps after it in order. That is
 * exact because the ask/tell contract (src/algorithms/types.ts) makes proposals a pure function of
 * (state, ids) and a restored algorithm continue as the uninterrupted one; a replayed propose is
 * checked against the hashes it recorded all the same, so a broken contract fails loudly here instead
 * of silently forking the search.
 *
 * Snapshots come often enough that a replay stays short (`snapshotDue`), and the worker keeps the live
 * algorithm between steps (activities/search.activities.ts), so a steady search neither restores nor
 * rewrites its history at each step.
 */
import type { SearchSpace } from '../space/types.js';
import { restoreAlgorithm } from '../algorithms/registry.js';
import type { AlgorithmState, SearchAlgorithm, TrialResult } from '../algorithms/types.js';
import { stateKey } from '../api/store-layout.js';
import { getJson, putJson, type ObjectStore } from '../store/object-store.js';

/** What one step did: the ids offered to `propose` and the hashes it answered, or the results observed. */
export type LedgerStep = { propose: { trialIds: string[]; hashes: string[] } } | { observe: TrialResult[] };

/** A stored version that is a step on top of the snapshot at version `snapshot`. */
export interface StepRecord {
  ledger: 1;
  snapshot: number;
  step: LedgerStep;
}

export type StateRecord = AlgorithmState | StepRecord;

export function isStepRecord(record: unknown): record is StepRecord {
  return typeof record === 'object' && record !== null && (record as { ledger?: unknown }).ledger === 1;
}

/** A live algorithm at a stored version, with what deciding the next record needs. */
export interface LedgerPosition<G> {
  algorithm: SearchAlgorithm<G>;
  version: number;
  /** The version of the snapshot this one builds on (itself when it is a snapshot). */
  snapshot: number;
  /** Trials proposed so far (the state's size, for the snapshot cadence). */
  proposed: number;
}

/** Fewest steps between snapshots: small searches keep near-full states, as before the ledger. */
export const MIN_STEPS_PER_SNAPSHOT = 16;
/** Trials per extra step between snapshots: a 20,000-trial search snapshots every 100 steps. */
export const TRIALS_PER_SNAPSHOT_STEP = 200;

/**
 * Whether version `version` is written as a snapshot. The gap grows with the state's size, so a
 * snapshot's cost (proportional to trials) spread over the steps after it stays constant per step,
 * while a replay after a restart stays at most `gap` steps.
 */
export function snapshotDue(version: number, snapshot: number, proposed: number): boolean {
  const gap = Math.max(MIN_STEPS_PER_SNAPSHOT, Math.ceil(proposed / TRIALS_PER_SNAPSHOT_STEP));
  return version - snapshot >= gap;
}

export class LedgerError extends Error {
  constructor(
    readonly searchId: string,
    readonly version: number,
    problem: string,
  ) {
    super(`algorithm state of ${searchId} at version ${version}: ${problem}`);
    this.name = 'LedgerError';
  }
}

async function readRecord(store: ObjectStore, searchId: string, version: number): Promise<StateRecord> {
  return (await getJson(store, stateKey(searchId, version))) as StateRecord;
}

/** Applies one recorded step to a live algorithm; a propose that answers differently is an error. */
export function applyStep<G>(algorithm: SearchAlgorithm<G>, step: LedgerStep, where: { searchId: string; version: number }): number {
  if ('observe' in step) {
    algorithm.observe(step.observe);
    return 0;
  }
  const hashes = algorithm.propose(step.propose.trialIds).map((p) => p.hash);
  if (hashes.length !== step.propose.hashes.length || hashes.some((h, i) => h !== step.propose.hashes[i])) {
    throw new LedgerError(
      where.searchId,
      where.version,
      `replaying its propose step gave ${hashes.length} proposals (${hashes.slice(0, 3).join(', ')}...) where the search recorded ${step.propose.hashes.length} (${step.propose.hashes.slice(0, 3).join(', ')}...); the algorithm is not deterministic`,
    );
  }
  return hashes.length;
}

/** Version `version` of a search's algorithm, restored from its snapshot and the steps after it. */
export async function loadAt<G>(store: ObjectStore, searchId: string, version: number, space: SearchSpace<G>): Promise<LedgerPosition<G>> {
  return advance(store, searchId, version, space);
}

/**
 * An older live position of the same search brought to `version`: the steps stored since applied to
 * it, or, when a snapshot came after it, that snapshot restored and the steps after it applied. With
 * several workers taking turns at a search's steps, each catches up by the few steps the others took
 * instead of restoring the whole state.
 */
export async function catchUp<G>(
  store: ObjectStore,
  searchId: string,
  from: LedgerPosition<G>,
  version: number,
  space: SearchSpace<G>,
): Promise<LedgerPosition<G>> {
  if (from.version > version) throw new LedgerError(searchId, version, `cannot go back from version ${from.version}`);
  return advance(store, searchId, version, space, from);
}

/**
 * Reads `version`'s record to learn its snapshot, then starts from `from` when that is at or after
 * the snapshot (every version between is then a step on it), else from the snapshot restored.
 */
async function advance<G>(store: ObjectStore, searchId: string, version: number, space: SearchSpace<G>, from?: LedgerPosition<G>): Promise<LedgerPosition<G>> {
  if (from?.version === version) return from;
  const last = await readRecord(store, searchId, version);
  if (!isStepRecord(last)) return { algorithm: restoreAlgorithm(space, last), version, snapshot: version, proposed: last.counts.proposed };
  if (!(last.snapshot < version)) throw new LedgerError(searchId, version, `its snapshot version ${last.snapshot} is not before it`);
  const resume = from && from.version >= last.snapshot ? from : undefined;
  const start = resume?.version ?? last.snapshot;
  const reads: Promise<StateRecord>[] = [];
  for (let v = start + 1; v < version; v++) reads.push(readRecord(store, searchId, v));
  const [base, ...between] = await Promise.all([resume ? undefined : readRecord(store, searchId, start), ...reads]);
  let position: LedgerPosition<G>;
  if (resume) position = resume;
  else if (base && !isStepRecord(base))
    position = { algorithm: restoreAlgorithm(space, base), version: start, snapshot: start, proposed: base.counts.proposed };
  else throw new LedgerError(searchId, start, 'expected a snapshot, found a step record');
  for (const [i, record] of [...between, last].entries()) {
    const v = start + 1 + i;
    if (!isStepRecord(record) || record.snapshot !== position.snapshot) {
      throw new LedgerError(
        searchId,
        v,
        `expected a step on the snapshot at ${position.snapshot}, found ${isStepRecord(record) ? `one on ${record.snapshot}` : 'a snapshot'}`,
      );
    }
    position = { ...position, version: v, proposed: position.proposed + applyStep(position.algorithm, record.step, { searchId, version: v }) };
  }
  return position;
}

/**
 * Stores version `version` after `step` was applied to `from`'s algorithm (already advanced): a step
 * record, or a snapshot when one is due. Returns the position at `version`.
 */
export async function saveStep<G>(
  store: ObjectStore,
  searchId: string,
  from: LedgerPosition<G>,
  version: number,
  step: LedgerStep,
): Promise<LedgerPosition<G>> {
  const proposed = from.proposed + ('propose' in step ? step.propose.hashes.length : 0);
  if (snapshotDue(version, from.snapshot, proposed)) {
    await putJson(store, stateKey(searchId, version), from.algorithm.state());
    return { algorithm: from.algorithm, version, snapshot: version, proposed };
  }
  const record: StepRecord = { ledger: 1, snapshot: from.snapshot, step };
  await putJson(store, stateKey(searchId, version), record);
  return { algorithm: from.algorithm, version, snapshot: from.snapshot, proposed };
}

/** Stores a whole state as version `version` (the first version, or a state built afresh). */
export async function saveSnapshot(store: ObjectStore, searchId: string, version: number, state: AlgorithmState): Promise<void> {
  await putJson(store, stateKey(searchId, version), state);
}
