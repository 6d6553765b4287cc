/**
 * `nasflow search status`: answers from what the server knows without a worker when it can. A
 * closed workflow answers from its result (a query on a closed workflow needs a worker to replay
 * it, and with none it waited ~45 s and failed); a running one is queried only while a worker
 * polls, otherwise its search attributes give phase, trials and best accuracy at once.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { LeaderboardEntry, SearchProgress, SearchResult } from '../common/search-types.js';
import { noWorkerMessage, workflowPollers } from '../client/task-queue.js';
import type { searchWorkflow } from '../../workflows/search.workflow.js';
import { leaderboardQuery, progressQuery } from '../../workflows/search-handlers.js';
import { rootCause } from './follow.js';
import { leaderboardTable, statusText } from './progress-view.js';
import type { TemporalTarget } from './temporal-target.js';
import { NAS_ALGORITHM, NAS_BEST_ACCURACY, NAS_PHASE, NAS_TRIALS_COMPLETED } from '../api/search-attributes.js';

export interface StatusReport {
  /** The workflow's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, … */
  status: string;
  progress?: SearchProgress;
  leaderboard?: LeaderboardEntry[];
  /** From the search attributes, when the workflow could not be asked. */
  attributes?: { algorithm?: string; phase?: string; trialsCompleted?: number; bestAccuracy?: number };
  reason?: string;
  note?: string;
}

export async function searchStatus(handle: WorkflowHandle<typeof searchWorkflow>, target: TemporalTarget, searchId: string): Promise<StatusReport> {
  const d = await handle.describe();
  const status = d.status.name;
  if (status === 'COMPLETED') {
    const r: SearchResult = await handle.result();
    return { status, progress: r.progress, leaderboard: r.leaderboard.slice(0, 10) };
  }
  const sa = d.typedSearchAttributes;
  const attributes = {
    algorithm: sa.get(NAS_ALGORITHM),
    phase: sa.get(NAS_PHASE),
    trialsCompleted: sa.get(NAS_TRIALS_COMPLETED),
    bestAccuracy: sa.get(NAS_BEST_ACCURACY),
  };
  if (status !== 'RUNNING') {
    let reason: string | undefined;
    try {
      await handle.result();
    } catch (err) {
      reason = err instanceof WorkflowFailedError ? rootCause(err) : String(err);
    }
    return { status, attributes, ...(reason ? { reason } : {}) };
  }
  const pollers = await workflowPollers(target.client, target.namespace, Date.now());
  if (pollers > 0) {
    try {
      return await target.client.withDeadline(Date.now() + 15_000, async () => ({
        status,
        progress: await handle.query(progressQuery),
        leaderboard: await handle.query(leaderboardQuery, 10),
      }));
    } catch {
      return {
        status,
        attributes,
        note: 'the workflow did not answer the progress query within 15 s (its worker is busy); figures from its search attributes',
      };
    }
  }
  const note = target.embedded
    ? `no nasflow command runs this search now; continue it with: nasflow search resume ${searchId}`
    : noWorkerMessage(target.address, target.namespace).replace(/ {2}\(waiting for it\)$/, '');
  return { status, attributes, note };
}

export function statusReportText(searchId: string, r: StatusReport): string {
  if (r.progress) return `${statusText(r.progress)}\n${leaderboardTable(r.leaderboard ?? [])}`;
  const a = r.attributes ?? {};
  const lines = [
    `search ${searchId} (${a.algorithm ?? '?'}): ${a.phase ?? '?'} (workflow ${r.status})`,
    `trials completed: ${a.trialsCompleted ?? 0}; best ${a.bestAccuracy === undefined ? '-' : `${a.bestAccuracy.toFixed(2)}%`}`,
  ];
  if (r.reason) lines.push(`reason: ${r.reason}`);
  if (r.note) lines.push(r.note);
  return lines.join('\n');
}
