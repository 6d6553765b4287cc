/** Whether any worker polls a task queue (a started search with no worker makes no progress). */
import type { Client } from '@temporalio/client';
import { TASK_QUEUE } from '../common/ids.js';

const NORMAL_KIND = 1; // TASK_QUEUE_KIND_NORMAL
const WORKFLOW_TYPE = 1; // TASK_QUEUE_TYPE_WORKFLOW

/**
 * Workers that polled the task queue for workflow tasks within `recentMs` of `nowMs`. The server
 * remembers a poller for minutes after its worker died, so an old last access does not count; a
 * live worker renews its long poll at least once a minute.
 */
export async function workflowPollers(client: Client, namespace: string, nowMs: number, taskQueue = TASK_QUEUE, recentMs = 90_000): Promise<number> {
  const res = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: NORMAL_KIND },
    taskQueueType: WORKFLOW_TYPE,
  });
  return (res.pollers ?? []).filter((p) => {
    const seconds = p.lastAccessTime?.seconds;
    return seconds === undefined || seconds === null || Number(seconds) * 1000 >= nowMs - recentMs;
  }).length;
}

export function noWorkerMessage(address: string, namespace: string, taskQueue = TASK_QUEUE): string {
  const ns = namespace === 'default' ? '' : ` --namespace ${namespace}`;
  return `no worker polls task queue "${taskQueue}" on ${address}: nothing will run until one does. Start one with: nasflow worker --address ${address}${ns}  (waiting for it)`;
}
