/**
 * A search's trials as its object store holds them (src/api/store-layout.ts): every trial spec,
 * every `result.json`, and how many attempts left a log. Read through the store interface only, so
 * it answers for a running search, a finished one, and one whose workflow history is gone, from
 * s3:// as well as a local path. `search export` ranks from it; `search report` draws from it.
 */
import { searchPrefix } from '../api/store-layout.js';
import {
  attemptRecordSchema,
  searchAccuracy,
  trialResultSchema,
  type AttemptRecord,
  type BenchmarkResult,
  type TrainedResult,
  type TrialResult,
} from '../api/trial-result.js';
import { trialSpecSchema } from '../api/trial-spec.js';
import { getJson, type ObjectStore } from '../store/object-store.js';

export interface RankedTrial {
  trialId: string;
  /** Validation accuracy in percent, as the leaderboard shows it. */
  accuracy: number;
  result: TrainedResult | BenchmarkResult;
}

/** One trial of a search, as far as the store knows it. */
export interface TrialRecord {
  trialId: string;
  /** From the trial spec, when it exists and parses. */
  space?: string;
  genotype?: unknown;
  /** The trial's `result.json`, when it exists and parses (absent: still running, or failed). */
  result?: TrialResult;
  /** Attempts whose output was kept (`logs/attempt-<n>.log`): the highest n, 0 when none. */
  attempts: number;
  /** The attempts' records (`logs/attempt-<n>.json`) that exist and parse, by attempt; searches before them have none. */
  attemptRecords?: AttemptRecord[];
}

const RESULT = '/result.json';
const SPEC = '/spec.json';
const LOG = /\/logs\/attempt-(\d+)\.log$/;
const ATTEMPT = /\/logs\/attempt-(\d+)\.json$/;

/** Parsed JSON of `key`, or undefined when it is missing or not JSON (a trial being written). */
const readJson = (store: ObjectStore, key: string): Promise<unknown> => getJson(store, key).catch(() => undefined);

/**
 * Every trial of a search that left a spec or a result, in trial order (round, then index; ids
 * compare numerically in their last two segments).
 */
export async function readTrialRecords(store: ObjectStore, searchId: string): Promise<TrialRecord[]> {
  const prefix = `${searchPrefix(searchId)}/trials/`;
  const byId = new Map<string, { spec?: string; result?: string; attempts: number; records: string[] }>();
  const entry = (id: string) => byId.get(id) ?? byId.set(id, { attempts: 0, records: [] }).get(id)!; // set just above
  for (const key of await store.list(prefix)) {
    const rel = key.slice(prefix.length);
    const log = LOG.exec(rel);
    const record = ATTEMPT.exec(rel);
    if (record) {
      const e = entry(rel.slice(0, record.index));
      e.records.push(key);
      e.attempts = Math.max(e.attempts, Number(record[1]));
    } else if (log) {
      const e = entry(rel.slice(0, log.index));
      e.attempts = Math.max(e.attempts, Number(log[1]));
    } else if (rel.endsWith(RESULT) && !rel.includes('/checkpoints/')) entry(rel.slice(0, -RESULT.length)).result = key;
    else if (rel.endsWith(SPEC) && !rel.includes('/checkpoints/')) entry(rel.slice(0, -SPEC.length)).spec = key;
  }
  const out: TrialRecord[] = [];
  for (const [trialId, keys] of byId) {
    const spec = keys.spec ? trialSpecSchema.safeParse(await readJson(store, keys.spec)) : undefined;
    const result = keys.result ? trialResultSchema.safeParse(await readJson(store, keys.result)) : undefined;
    const records: AttemptRecord[] = [];
    for (const key of keys.records) {
      const parsed = attemptRecordSchema.safeParse(await readJson(store, key));
      if (parsed.success) records.push(parsed.data);
    }
    out.push({
      trialId,
      attempts: keys.attempts,
      ...(records.length ? { attemptRecords: records.sort((a, b) => a.attempt - b.attempt) } : {}),
      ...(spec?.success ? { space: spec.data.space, genotype: spec.data.genotype } : {}),
      ...(result?.success ? { result: result.data } : {}),
    });
  }
  return out.sort((a, b) => compareTrialIds(a.trialId, b.trialId));
}

/** Orders `<searchId>/<round>/<index>` ids by round, then index, numerically; other ids by text. */
export function compareTrialIds(a: string, b: string): number {
  const tail = (id: string): [number, number] | undefined => {
    const m = /\/(\d+)\/(\d+)$/.exec(id);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  };
  const [ta, tb] = [tail(a), tail(b)];
  if (ta && tb && (ta[0] !== tb[0] || ta[1] !== tb[1])) return ta[0] - tb[0] || ta[1] - tb[1];
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every finished trial of a search from its `result.json` files, best first, in the leaderboard's
 * order (accuracy, then trial id: workflows/search-book.ts). Supernet stages are not networks and
 * are left out.
 */
export async function rankTrials(store: ObjectStore, searchId: string): Promise<RankedTrial[]> {
  const prefix = `${searchPrefix(searchId)}/trials/`;
  const out: RankedTrial[] = [];
  for (const key of await store.list(prefix)) {
    if (!key.endsWith(RESULT)) continue;
    const parsed = trialResultSchema.safeParse(await readJson(store, key));
    if (!parsed.success || parsed.data.kind === 'ponas-supernet') continue;
    out.push({ trialId: key.slice(prefix.length, -RESULT.length), accuracy: searchAccuracy(parsed.data.valAccuracy), result: parsed.data });
  }
  return out.sort((a, b) => b.accuracy - a.accuracy || (a.trialId < b.trialId ? -1 : 1));
}
