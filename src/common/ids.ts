/**
 * Deterministic names (docs/design.md "Contracts"): workflow ids, trial ids and the DNS-safe Job names
 * derived from them. Pure string functions, safe in workflow code.
 */
import { stableHash } from './hash.js';

export const TASK_QUEUE = 'nasflow';

/** Search id of a local search: `local/<name>/<id>`; of a resource: `<namespace>/<name>/<uid>`. */
export function localSearchId(name: string, id: string): string {
  return `local/${name}/${id}`;
}

export function workflowIdFor(searchId: string): string {
  return `nas/${searchId}`;
}

/** `<searchId>/<round>/<index>`: allocated by the workflow before the algorithm proposes. */
export function trialId(searchId: string, round: number, index: number): string {
  return `${searchId}/${round}/${index}`;
}

/** `<searchId>/final/<k>`: the k-th (0-based) architecture of the search's final training. */
export function finalTrialId(searchId: string, k: number): string {
  return `${searchId}/final/${k}`;
}

/** Whether a trial id names a final-stage trial (`<searchId>/final/<k>`). */
export function isFinalTrialId(id: string): boolean {
  return /\/final\/\d+$/.test(id);
}

/** `<search-name>-<hash8>-r<round>-<index>`, at most 63 characters, for Jobs and pods. */
export function trialJobName(searchName: string, id: string): string {
  const parts = id.split('/');
  const index = parts[parts.length - 1];
  const round = parts[parts.length - 2];
  const suffix = `-${stableHash(id, 8)}-r${round}-${index}`;
  const base = searchName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63 - suffix.length)
    .replace(/-+$/, '');
  return `${base || 'nas'}${suffix}`;
}
