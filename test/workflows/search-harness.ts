/** One Temporal dev server and one search worker per test file, over a temporary local store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { startTemporal, type Handle } from '../helpers/infra.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { createSearchWorker, type SearchWorkerOptions } from '../../src/worker/worker.js';

let runtimeInstalled = false;

export interface SearchHarness {
  temporal: Handle<TemporalEndpoints>;
  client: Client;
  storage: string;
  workDir: string;
  taskQueue: string;
  startWorker(extra?: Partial<SearchWorkerOptions>): Promise<Worker>;
  stop(): Promise<void>;
}

export async function startSearchHarness(taskQueue = 'nasflow-test'): Promise<SearchHarness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const temporal = await startTemporal();
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  const root = mkdtempSync(join(tmpdir(), 'nasflow-search-'));
  const storage = join(root, 'store');
  const workDir = join(root, 'launcher');
  const workers: { worker: Worker; run: Promise<void>; close(): Promise<void> }[] = [];
  return {
    temporal,
    client,
    storage,
    workDir,
    taskQueue,
    async startWorker(extra = {}) {
      const { worker, connection: native } = await createSearchWorker({
        address: temporal.address,
        namespace: temporal.namespace,
        taskQueue,
        env: process.env,
        workDir,
        pollIntervalMs: 100,
        ...extra,
      });
      const run = worker.run();
      workers.push({ worker, run, close: () => native.close() });
      return worker;
    },
    async stop() {
      for (const w of workers) {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await w.run.catch(() => undefined);
        await w.close().catch(() => undefined);
      }
      await connection.close();
      await temporal.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
