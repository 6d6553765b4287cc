/** A Temporal worker that runs search workflows and their activities on the `nasflow` task queue. */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createSearchActivities } from '../../activities/search.activities.js';
import { TASK_QUEUE } from '../common/ids.js';
import { instrumentActivities, type SearchMetrics } from '../metrics/search-metrics.js';
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
  /** Prometheus metrics the activities count into (src/metrics/search-metrics.ts). */
  metrics?: SearchMetrics;
}

export async function createSearchWorker(opts: SearchWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const tls = temporalTls(opts.env);
  const connection = await NativeConnection.connect({ address: opts.address, ...(tls ? { tls } : {}) });
  // A connection left open by a failed create keeps the process alive with nothing polling.
  const worker = await createWorker(opts, connection).catch(async (err: unknown) => {
    await connection.close().catch(() => undefined);
    throw err;
  });
  return { worker, connection };
}

/**
 * createSearchWorker, retried while the server cannot be reached (a worker pod or process that
 * starts during a Temporal outage waits for it instead of exiting or hanging). Other errors throw.
 */
export async function createSearchWorkerWhenReachable(
  opts: SearchWorkerOptions,
  log: (line: string) => void,
  sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
): Promise<{ worker: Worker; connection: NativeConnection }> {
  for (let delayMs = 1000, since = Date.now(); ; delayMs = Math.min(delayMs * 2, 15_000)) {
    try {
      return await createSearchWorker(opts);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      log(
        `nasflow worker: Temporal at ${opts.address} cannot be reached (${Math.round((Date.now() - since) / 1000)} s); retrying in ${delayMs / 1000} s: ${firstLine(err)}`,
      );
      await sleep(delayMs);
    }
  }
}

function isUnreachable(err: unknown): boolean {
  return /tcp connect error|connection refused|transport error|UNAVAILABLE|Unavailable|deadline exceeded|timed out/i.test(String(err));
}

function firstLine(err: unknown): string {
  const [line = ''] = String(err instanceof Error ? err.message : err).split('\n');
  return line.slice(0, 200);
}

async function createWorker(opts: SearchWorkerOptions, connection: NativeConnection): Promise<Worker> {
  const activities = createSearchActivities(createSearchDeps(opts));
  return Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: opts.metrics ? instrumentActivities(activities, opts.metrics) : activities,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? 1000,
    ...opts.workerOptions,
  });
}
