/**
 * The batch worker of ./batch-source.ts: holds a copy of the training split and answers each
 * request (indices and the step's augmentation draws) with the finished batch, transferred back
 * without a copy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { applyPlan } from './augment.js';
import type { BatchReply, BatchRequest } from './batch-source.js';
import type { ImageSet } from './cifar-format.js';

const data = workerData as { images: Uint8Array; count: number };
const set: ImageSet = { images: data.images, labels: new Uint8Array(0), count: data.count };

parentPort?.on('message', (m: BatchRequest) => {
  const x = applyPlan(set, m.indices, m.args, m.plan);
  const reply: BatchReply = { step: m.step, x };
  // applyPlan allocates a plain ArrayBuffer (never shared), so it can be transferred.
  parentPort?.postMessage(reply, [x.buffer as ArrayBuffer]);
});
