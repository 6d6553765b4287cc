/**
 * Issue 16: a running `nasflow worker --metrics-address 127.0.0.1:0` serves Prometheus metrics,
 * /healthz and /readyz, and its trial counters move while a search runs: scraped before the search
 * (no trials), during it (some started, not all finished) and after it (every trial started and
 * succeeded once, none left running, algorithm steps timed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** The value of one sample (`name{labels} value`) in Prometheus text; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (want.every((w) => (m[2] ?? '').includes(w))) total += Number(m[3]);
  }
  return total;
}

void describe('worker metrics and health endpoints', () => {
  let temporal: Handle<TemporalEndpoints>;
  let connection: Connection;
  let client: Client;
  let root: string;
  let worker: ChildProcess | undefined;
  let log = '';

  before(async () => {
    temporal = await startTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    root = mkdtempSync(join(tmpdir(), 'nasflow-metrics-'));
  });

  after(async () => {
    worker?.kill('SIGKILL');
    await connection?.close();
    await temporal?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  void it('counts trials started, succeeded and running, and times algorithm steps, as a search runs', async () => {
    const taskQueue = 'metrics';
    worker = spawnWorkerProcess(temporal.address, taskQueue, join(root, 'launcher'), {
      args: ['--metrics-address', '127.0.0.1:0'],
      onStderr: (t) => (log += t),
    });
    const base = await eventually(async () => {
      const m = /metrics and health on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      assert.ok(m, `worker has not said where its metrics are yet:\n${log}`);
      return m[1];
    }, TIMEOUTS.medium);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    await eventually(async () => assert.equal((await fetch(`${base}/readyz`)).status, 200, 'ready once polling'), TIMEOUTS.medium);
    const scrape = async () => {
      const res = await fetch(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      return res.text();
    };
    const labels = { search: 'local/metrics', algorithm: 'random' };
    const before = await scrape();
    assert.match(before, /# TYPE nasflow_trials_started_total counter/);
    assert.equal(sample(before, 'nasflow_trials_started_total', labels), 0);

    const maxTrials = 6;
    // Paced (a few seconds per trial, two at once) so a scrape can see the search part-way.
    const spec = makeSearch('metrics', join(root, 'store')).trials(maxTrials, 2).pace(80).obj();
    const handle = await startSearch(client, spec, { searchId: localSearchId('metrics', 'm1'), taskQueue });
    const during = await eventually(
      async () => {
        const text = await scrape();
        assert.ok(sample(text, 'nasflow_trials_started_total', labels) >= 1, 'no trial started yet');
        return text;
      },
      TIMEOUTS.medium,
      100,
    );
    await handle.result();
    const end = await scrape();
    assert.equal(sample(end, 'nasflow_trials_started_total', labels), maxTrials);
    assert.equal(sample(end, 'nasflow_trials_succeeded_total', labels), maxTrials);
    assert.ok(sample(during, 'nasflow_trials_succeeded_total', labels) < maxTrials, 'the mid-run scrape saw the search before its end');
    assert.equal(sample(end, 'nasflow_trials_failed_total', labels), 0);
    assert.equal(sample(end, 'nasflow_trials_running', labels), 0);
    assert.equal(sample(end, 'nasflow_trial_duration_seconds_count', { algorithm: 'random', outcome: 'succeeded' }), maxTrials);
    assert.ok(sample(end, 'nasflow_algorithm_step_duration_seconds_count', { step: 'propose' }) >= 1);
    assert.ok(sample(end, 'nasflow_algorithm_step_duration_seconds_count', { step: 'observe' }) >= 1);
    assert.equal(sample(end, 'nasflow_launcher_errors_total'), 0);
    assert.ok(sample(end, 'nasflow_worker_process_cpu_seconds_total') > 0, 'process metrics are collected too');
  });
});
