/**
 * The contract between the Kubernetes launcher and the agent of a pack pod (spec `trial.perGpu` > 1,
 * docs/gpu.md "Packing small trials"): keys under the search's storage and the records written
 * there. The launcher writes assignments and cancel requests; the agent writes started, exited and
 * closed records. Every record is one atomic `put`; none is ever rewritten.
 *
 * ```
 * searches/<searchId>/packs/<pack>/assigned/<attemptKey>.json   {trialId, attempt, specUri}   (launcher)
 * searches/<searchId>/packs/<pack>/cancel/<attemptKey>.json     {}                            (launcher)
 * searches/<searchId>/packs/<pack>/started/<attemptKey>.json    {startedAt}                   (agent, before the trainer starts)
 * searches/<searchId>/packs/<pack>/exited/<attemptKey>.json     {exitCode, message?, endedAt}  (agent, after it ends)
 * searches/<searchId>/packs/<pack>/closed.json                  {closedAt}                    (agent, before an idle exit)
 * ```
 * Ordering the launcher relies on: the agent writes `started` before it starts a trainer and never
 * starts one after `closed`, so "closed and not started" means the attempt never ran and may be
 * placed again; "started, no exit, pack pod gone" means the attempt was lost with its pod.
 */
import { z } from 'zod';
import { searchPrefix } from './store-layout.js';

export const packPrefix = (searchId: string, pack: string): string => `${searchPrefix(searchId)}/packs/${pack}`;

export type PackRecordKind = 'assigned' | 'cancel' | 'started' | 'exited';
/** Relative to the pack's prefix. */
export const packRecordKey = (kind: PackRecordKind, attemptKey: string): string => `${kind}/${attemptKey}.json`;
export const PACK_CLOSED = 'closed.json';

/** The attempt key of a record key (`exited/<key>.json` → `<key>`). */
export function attemptKeyOfRecord(relKey: string): string | undefined {
  return /^[a-z]+\/([^/]+)\.json$/.exec(relKey)?.[1];
}

export const packAssignmentSchema = z.object({ trialId: z.string().min(1), attempt: z.number().int().min(1), specUri: z.string().min(1) });
export type PackAssignment = z.infer<typeof packAssignmentSchema>;

export const packExitSchema = z.object({ exitCode: z.number().int(), message: z.string().optional(), endedAt: z.string().optional() });
export type PackExit = z.infer<typeof packExitSchema>;
