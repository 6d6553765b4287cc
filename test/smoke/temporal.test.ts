import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startTemporal, type Handle } from '../helpers/infra.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import * as activities from './fixtures/smoke.activities.js';
import { finishSignal, smokeWorkflow, statusQuery } from './fixtures/smoke.workflow.js';
import { eventually } from '../helpers/wait.js';

describe('Temporal dev server (real, on loopback)', () => {
  let temporal: Handle<TemporalEndpoints>;
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let workerRun: Promise<void>;

  before(async () => {
    temporal = await startTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    worker = await Worker.create({
      connection: await NativeConnection.connect({ address: temporal.address }),
      namespace: temporal.namespace,
      taskQueue: 'smoke',
      workflowsPath: fileURLToPath(new URL('./fixtures/smoke.workflow.js', import.meta.url)),
      activities,
    });
    workerRun = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await workerRun?.catch(() => undefined);
    await connection?.close();
    await temporal?.stop();
  });

  it('runs a workflow whose activity, signal, query and search attribute all work', async () => {
    const workflowId = `smoke-${Date.now()}`;
    const handle = await client.workflow.start(smokeWorkflow, {
      taskQueue: 'smoke',
      workflowId,
      args: ['nasflow'],
      searchAttributes: { NasAlgorithm: ['random'], NasSearchName: ['smoke'] },
    });
    await eventually(async () => assert.match(await handle.query(statusQuery), /^greeted:hello nasflow from pid \d+$/), 20_000);

    // The visibility store answers a query on the registered custom search attributes.
    await eventually(async () => {
      const found: string[] = [];
      for await (const wf of client.workflow.list({ query: `NasAlgorithm = 'random' AND NasPhase = 'Waiting' AND WorkflowId = '${workflowId}'` })) {
        found.push(wf.workflowId);
      }
      assert.deepEqual(found, [workflowId]);
    }, 20_000);

    await handle.signal(finishSignal, 'the test');
    const result = await handle.result();
    assert.match(result, /^hello nasflow from pid \d+ \(finished by the test\)$/);
    assert.equal(Number(/pid (\d+)/.exec(result)![1]), process.pid, 'the activity ran in this test worker');
  });

  it('rejects an unregistered search attribute (the server validates it)', async () => {
    await assert.rejects(
      client.workflow.start(smokeWorkflow, { taskQueue: 'smoke', workflowId: `bad-${Date.now()}`, args: ['x'], searchAttributes: { NotRegistered: ['x'] } }),
      (err: Error) => /no mapping defined for search attribute NotRegistered/.test(`${err.message} ${String((err.cause as Error | undefined)?.message)}`),
    );
  });
});
