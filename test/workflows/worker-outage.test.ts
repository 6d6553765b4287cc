/**
 * A worker started while Temporal is down waits for it (as a worker pod started during an outage
 * must) instead of exiting or hanging with nothing polling; once the server is up it runs searches.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { startTemporal, type Handle } from '../helpers/infra.js';
import { makeSearch } from '../helpers/search-builder.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { spawnWorkerProcess } from '../helpers/worker-process.js';

/**
 * Ports bound and released here, not by src/dev/ports.ts: ports that module handed out are never
 * preferred again, and this test needs the server on the ports the worker already dials.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

describe('a worker started during a Temporal outage', () => {
  const root = mkdtempSync(join(tmpdir(), 'nasflow-outage-'));
  let worker: ChildProcess | undefined;
  let temporal: Handle<TemporalEndpoints> | undefined;
  let connection: Connection | undefined;
  after(async () => {
    worker?.kill('SIGKILL');
    await connection?.close();
    await temporal?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('retries until the server is up, then polls and runs a search', async () => {
    const ports = await freePorts(4);
    let log = '';
    worker = spawnWorkerProcess(`127.0.0.1:${ports[0]}`, 'outage', join(root, 'launcher'), { onStderr: (text) => (log += text) });
    let exited: number | null | undefined;
    worker.on('exit', (code) => (exited = code));
    await eventually(async () => assert.match(log, /cannot be reached \(\d+ s\); retrying/), TIMEOUTS.long);
    assert.equal(exited, undefined, 'the worker waits for the server instead of exiting');

    temporal = await startTemporal({ ports });
    assert.equal(temporal.address, `127.0.0.1:${ports[0]}`);
    await eventually(async () => assert.match(log, /polling task queue outage/), TIMEOUTS.long);
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: temporal.namespace });
    const spec = makeSearch('outage', join(root, 'store')).trials(6, 2).obj();
    const result = await (await startSearch(client, spec, { searchId: localSearchId('outage', 'o1'), taskQueue: 'outage' })).result();
    assert.equal(result.phase, 'Succeeded');
    assert.equal(result.progress.counts.succeeded, 6);
  });
});
