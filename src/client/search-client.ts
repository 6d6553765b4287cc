/** Starting and steering searches through @temporalio/client (used by the CLI, the operator and tests). */
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TASK_QUEUE, workflowIdFor } from '../common/ids.js';
import type { SearchProgress, SearchResult } from '../common/search-types.js';
import { algorithmName } from '../search/algorithm-from-spec.js';
import type { SearchSpec } from '../api/search-spec.js';
import type { searchWorkflow } from '../../workflows/search.workflow.js';
import { NAS_ALGORITHM, NAS_SEARCH_NAME } from '../api/search-attributes.js';

export interface StartSearchOptions {
  searchId: string;
  taskQueue?: string;
  /** Test-only: continue-as-new after this many history events. */
  historyLimit?: number;
}

export async function startSearch(
  client: Client,
  spec: SearchSpec,
  opts: StartSearchOptions,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof searchWorkflow>> {
  const algorithm = algorithmName(spec);
  return client.workflow.start<typeof searchWorkflow>('searchWorkflow', {
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowId: workflowIdFor(opts.searchId),
    // A search's workflow task handles every event of hundreds of trials; on a starved worker
    // (measured at load average 35 on 2 cores: 11-13 s per task at 450 running trials) the default
    // 10 s times each task out and retries it forever. Continue-as-new keeps this timeout.
    workflowTaskTimeout: '60s',
    args: [{ searchId: opts.searchId, spec, algorithm, ...(opts.historyLimit ? { historyLimit: opts.historyLimit } : {}) }],
    memo: {
      spec: {
        name: spec.name,
        algorithm,
        space: spec.space,
        evaluator: spec.evaluator.type,
        maxTrials: spec.budget.maxTrials,
        parallelism: spec.budget.parallelism,
        storage: spec.storage,
      },
    },
    typedSearchAttributes: [
      { key: NAS_ALGORITHM, value: algorithm },
      { key: NAS_SEARCH_NAME, value: spec.name },
    ],
  });
}

export function searchHandle(client: Client, searchId: string): WorkflowHandle<typeof searchWorkflow> {
  return client.workflow.getHandle<typeof searchWorkflow>(workflowIdFor(searchId));
}

export type { SearchProgress, SearchResult };
