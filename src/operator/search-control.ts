/**
 * The operator's view of Temporal: start, describe, query, update and cancel the search workflow
 * of a resource, through @temporalio/client. The workflow id is `nas/<namespace>/<name>/<uid>`,
 * so two operator replicas (or a restarted one) can never start a second search for a resource.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { searchHandle, startSearch } from '../client/search-client.js';
import type { SearchProgress } from '../common/search-types.js';
import type { SearchSpec } from '../api/search-spec.js';
import { cancelUpdate, pauseUpdate, progressQuery, resumeUpdate, setMaxTrialsUpdate, setParallelismUpdate } from '../../workflows/search-handlers.js';

export type WorkflowStatusName = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW' | 'UNKNOWN' | 'PAUSED';

export interface WorkflowSummary {
  status: WorkflowStatusName;
  closeTime?: Date;
}

/** What the reconciler needs from Temporal (TemporalSearchControl implements it). */
export interface SearchControl {
  describe(searchId: string): Promise<WorkflowSummary | undefined>;
  /** Starts the search; "exists" when a workflow with its id already runs. */
  start(searchId: string, spec: SearchSpec): Promise<'started' | 'exists'>;
  progress(searchId: string): Promise<SearchProgress>;
  /** The final progress of a closed workflow and, for failures, why. */
  outcome(searchId: string): Promise<{ progress?: SearchProgress; message?: string }>;
  setParallelism(searchId: string, n: number): Promise<void>;
  setMaxTrials(searchId: string, n: number): Promise<void>;
  pause(searchId: string): Promise<void>;
  resume(searchId: string): Promise<void>;
  /** Stops running trials and closes the workflow as Cancelled; a closed or unknown workflow is fine. */
  cancel(searchId: string): Promise<void>;
}

export class TemporalSearchControl implements SearchControl {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async describe(searchId: string): Promise<WorkflowSummary | undefined> {
    try {
      const d = await searchHandle(this.client, searchId).describe();
      return { status: d.status.name as WorkflowStatusName, ...(d.closeTime ? { closeTime: d.closeTime } : {}) };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async start(searchId: string, spec: SearchSpec): Promise<'started' | 'exists'> {
    try {
      await startSearch(this.client, spec, { searchId, taskQueue: this.taskQueue });
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'exists';
      throw err;
    }
  }

  progress(searchId: string): Promise<SearchProgress> {
    return searchHandle(this.client, searchId).query(progressQuery);
  }

  async outcome(searchId: string): Promise<{ progress?: SearchProgress; message?: string }> {
    try {
      const r = await searchHandle(this.client, searchId).result();
      return { progress: r.progress, ...(r.progress.reason ? { message: r.progress.reason } : {}) };
    } catch (err) {
      const message = err instanceof WorkflowFailedError && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err);
      // A closed workflow still answers queries: the counts at the moment it failed.
      const progress = await this.progress(searchId).catch(() => undefined);
      return { message, ...(progress ? { progress } : {}) };
    }
  }

  async setParallelism(searchId: string, n: number): Promise<void> {
    await searchHandle(this.client, searchId).executeUpdate(setParallelismUpdate, { args: [n] });
  }

  async setMaxTrials(searchId: string, n: number): Promise<void> {
    await searchHandle(this.client, searchId).executeUpdate(setMaxTrialsUpdate, { args: [n] });
  }

  async pause(searchId: string): Promise<void> {
    await searchHandle(this.client, searchId).executeUpdate(pauseUpdate);
  }

  async resume(searchId: string): Promise<void> {
    await searchHandle(this.client, searchId).executeUpdate(resumeUpdate);
  }

  async cancel(searchId: string): Promise<void> {
    const d = await this.describe(searchId);
    if (!d || d.status !== 'RUNNING') return;
    await searchHandle(this.client, searchId).executeUpdate(cancelUpdate);
  }
}
