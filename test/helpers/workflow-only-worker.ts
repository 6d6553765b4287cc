/**
 * A worker process that runs search workflows only (no activities), for tests that kill the
 * workflow side with SIGKILL while the activities keep running in the test process.
 * Usage: node workflow-only-worker.js <address> <namespace> <taskQueue> [stickySeconds] [workflowsPath]
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker/worker.js';

const [address, namespace, taskQueue, sticky = '10', workflowsPath = WORKFLOWS_PATH] = process.argv.slice(2);
if (address === undefined || namespace === undefined || taskQueue === undefined) {
  throw new Error('usage: workflow-only-worker.js <address> <namespace> <taskQueue> [stickySeconds] [workflowsPath]');
}
Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  namespace,
  taskQueue,
  workflowsPath,
  // A long sticky timeout keeps a dead worker's pending workflow task parked on its sticky queue,
  // the window in which the recorded nondeterminism happened.
  stickyQueueScheduleToStartTimeout: `${sticky}s`,
});
process.stdout.write('ready\n');
await worker.run();
await connection.close();
