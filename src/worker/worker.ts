/** A Temporal worker that runs search workflows and their activities on the `nasflow` task queue. */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createSearchActivities } from '../../activities/search.activities.js';
import { TASK_QUEUE } from '../common/ids.js';
import { createSearchDeps, type SearchDepsOptions } from './search-deps.js';
import { temporalTls } from './temporal-tls.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.js', import.meta.url));

export interface SearchWorkerOptions extends SearchDepsOptions {
  address: string;
  namespace: string;
  taskQueue?: string;
  /** Concurrent activity executions (trials awaited at once plus algorithm steps). Default: 1000. */
  maxConcurrentActivities?: number;
  workerOptions?: Partial<WorkerOptions>;
}

export async function createSearchWorker(opts: SearchWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const tls = temporalTls(opts.env);
  const connection = await NativeConnection.connect({ address: opts.address, ...(tls ? { tls } : {}) });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: createSearchActivities(createSearchDeps(opts)),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? 1000,
    ...opts.workerOptions,
  });
  return { worker, connection };
}
