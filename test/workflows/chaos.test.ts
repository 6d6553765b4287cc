import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { spawnWorkerProcess } from '../helpers/worker-process.js';
import { progressQuery } from '../../workflows/search-handlers.js';
import type { SearchProgress } from '../../src/common/search-types.js';
import { startTemporal, type Handle } from '../helpers/infra.js';
import { makeSearch } from '../helpers/search-builder.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';

interface LaunchLine {
  trialId: string;
  attempt: number;
  pid: number;
}

describe('search survives worker crashes (kill -9) and classifies trial failures', () => {
  let temporal: Handle<TemporalEndpoints>;
  let client: Client;
  let connection: Connection;
  let root: string;
  const workers: ChildProcess[] = [];

  const spawnWorker = (taskQueue: string, workDir: string): ChildProcess => {
    const child = spawnWorkerProcess(temporal.address, taskQueue, workDir);
    workers.push(child);
    return child;
  };

  /** A trained search whose every trial fails as a user failure (exit 2: the dataset is missing). */
  const failingTrials = (name: string, budget: { maxTrials: number; parallelism: number; maxFailedTrials: number }) =>
    makeSearch(name, join(root, `store-${name}`))
      .set('space', 'nasnet')
      .set('evaluator', { type: 'train' })
      .set('dataset', join(root, 'no-such-dataset'))
      .set('trial', { epochs: 1, imageSize: 8 })
      .budget(budget)
      .obj();

  before(async () => {
    temporal = await startTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    root = mkdtempSync(join(tmpdir(), 'nasflow-chaos-'));
  });

  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await connection?.close();
    await temporal?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('finishes a 200-trial search after the worker is killed -9 three times, launching no trial attempt twice', async () => {
    const storage = join(root, 'store');
    const workDir = join(root, 'launcher');
    const taskQueue = 'chaos';
    // Trials are real child processes that answer from NAS-Bench-201 in about 1-3 s each.
    const spec = makeSearch('chaos', storage)
      .algorithm({ evolution: { population: 20, sample: 5 } })
      .trials(200, 10)
      .pace(40)
      .set('evaluator', { type: 'benchmark', benchmark: 'nb201-cifar10', secondsPerSimulatedHour: 40, runAs: 'process' })
      .obj();
    const searchId = localSearchId('chaos', 'k1');
    let worker = spawnWorker(taskQueue, workDir);
    const handle = await startSearch(client, spec, { searchId, taskQueue });
    const killAt = [25, 80, 140];
    for (const threshold of killAt) {
      await eventually(
        async () => {
          const p = await handle.query(progressQuery);
          assert.ok(p.counts.succeeded >= threshold, `waiting for ${threshold}: ${JSON.stringify(p.counts)} running ${p.running.join(',')}`);
        },
        TIMEOUTS.long,
        250,
      );
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      worker = spawnWorker(taskQueue, workDir);
    }
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded');
    assert.equal(result.progress.counts.succeeded, 200);
    assert.equal(result.progress.counts.failed, 0);

    // Every trial id appears exactly once among the stored results.
    const trialsRoot = join(storage, 'searches', searchId, 'trials', searchId);
    const ids = readdirSync(trialsRoot).flatMap((round) => readdirSync(join(trialsRoot, round)).map((i) => `${round}/${i}`));
    assert.equal(ids.length, 200);
    for (const id of ids) assert.ok(existsSync(join(trialsRoot, id, 'result.json')), `result for ${id}`);

    // The launcher's own log: no (trial, attempt) started twice; a retry only after the earlier attempt ended.
    const lines = readFileSync(join(workDir, 'launches.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LaunchLine);
    const seen = new Set<string>();
    for (const l of lines) {
      const key = `${l.trialId}#${l.attempt}`;
      assert.ok(!seen.has(key), `attempt launched twice: ${key}`);
      seen.add(key);
    }
    const trialIds = new Set(lines.map((l) => l.trialId));
    assert.equal(trialIds.size, 200);
    console.log(`chaos: ${lines.length} launches for 200 trials; ${result.progress.counts.infraRetries} infrastructure retries`);
  });

  it('PONAS one-shot: worker killed -9 during meta-training and during a table row; each supernet step runs once', async () => {
    const storage = join(root, 'store-ponas');
    const workDir = join(root, 'launcher-ponas');
    const data = join(root, 'data-ponas');
    const synth = spawnSync(
      process.execPath,
      [CLI_ENTRY, 'dataset', 'synth', '--out', data, '--classes', '4', '--train', '400', '--test', '0', '--seed', '5'],
      { encoding: 'utf8' },
    );
    assert.equal(synth.status, 0, synth.stderr);
    const spec = makeSearch('ponas-chaos', storage)
      .algorithm({ ponas: { supernet: { layers: 3, candidates: [0, 3, 6, 11], fineTuneSteps: 8, metaTrial: { epochs: 4 } } } })
      .set('space', 'ponas')
      .set('macro', { classes: 4, headFilters: 32 })
      .set('evaluator', { type: 'train' })
      .set('dataset', data)
      .set('trial', { epochs: 1, batchSize: 16, imageSize: 8, valFraction: 0.25, checkpointEverySteps: 4 })
      .budget({ maxTrials: 2, parallelism: 2, maxFailedTrials: 0 })
      .obj();
    const searchId = localSearchId('ponas-chaos', 'p1');
    let worker = spawnWorker('ponas-chaos', workDir);
    const handle = await startSearch(client, spec, { searchId, taskQueue: 'ponas-chaos' });
    const killWhen = async (what: string, ready: (p: SearchProgress) => boolean): Promise<void> => {
      await eventually(async () => assert.ok(ready(await handle.query(progressQuery)), `waiting for ${what}`), TIMEOUTS.long, 100);
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      worker = spawnWorker('ponas-chaos', workDir);
    };
    await killWhen('meta-training', (p) => p.oneShot?.stage === 'meta' && p.counts.running === 1);
    await killWhen('a table row', (p) => p.oneShot?.stage === 'table' && p.oneShot.rowsDone >= 1 && p.counts.running === 1);
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded', result.progress.reason);
    assert.equal(result.progress.counts.succeeded, 2);
    assert.equal(result.progress.oneShot?.rowsDone, 3);

    // The trial processes outlived the workers; the new workers re-attached instead of relaunching.
    const lines = readFileSync(join(workDir, 'launches.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LaunchLine);
    const stageLaunches = lines.filter((l) => l.trialId.startsWith(`${searchId}/supernet/`));
    assert.deepEqual(
      stageLaunches.map((l) => `${l.trialId}#${l.attempt}`).sort(),
      [0, 1, 2, 3].map((step) => `${searchId}/supernet/${step}#1`),
    );
    assert.equal(new Set(lines.map((l) => `${l.trialId}#${l.attempt}`)).size, lines.length, 'no attempt launched twice');
  });

  it('retries a trial whose process was killed (infrastructure) without counting it as failed', async () => {
    const storage = join(root, 'store-infra');
    const workDir = join(root, 'launcher-infra');
    const spec = makeSearch('infra', storage)
      .trials(3, 1)
      .set('evaluator', { type: 'benchmark', benchmark: 'nb201-cifar10', secondsPerSimulatedHour: 200, runAs: 'process' })
      .obj();
    spawnWorker('infra', workDir);
    const handle = await startSearch(client, spec, { searchId: localSearchId('infra', 'i1'), taskQueue: 'infra' });
    // Kill the first trial's process (not its recording shell) while it runs.
    const pid = await eventually(
      async () => {
        const lines = readFileSync(join(workDir, 'launches.log'), 'utf8').trim().split('\n');
        const shell = (JSON.parse(lines[0]!) as LaunchLine).pid;
        const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim();
        assert.ok(children, 'trial process started');
        return Number(children.split(' ')[0]);
      },
      TIMEOUTS.medium,
      50,
    );
    process.kill(pid, 'SIGKILL');
    const result = await handle.result();
    assert.equal(result.progress.counts.succeeded, 3);
    assert.equal(result.progress.counts.failed, 0);
    assert.equal(result.progress.counts.infraRetries, 1);
  });

  it('fails the search with a clear reason once user failures exceed maxFailedTrials', async () => {
    const spec = failingTrials('userfail', { maxTrials: 6, parallelism: 1, maxFailedTrials: 1 });
    spawnWorker('userfail', join(root, 'launcher-user'));
    const handle = await startSearch(client, spec, { searchId: localSearchId('userfail', 'u1'), taskQueue: 'userfail' });
    await assert.rejects(handle.result(), (err: Error) => {
      assert.ok(err instanceof WorkflowFailedError);
      const message = String(err.cause?.message);
      assert.match(message, /2 trials failed \(budget\.maxFailedTrials is 1\)/);
      assert.match(message, /exit 2/);
      assert.match(message, /no-such-dataset/);
      return true;
    });
  });
  it('fails a search whose every trial failed instead of reporting Succeeded with no best', async () => {
    const spec = failingTrials('allfail', { maxTrials: 2, parallelism: 1, maxFailedTrials: 3 });
    spawnWorker('allfail', join(root, 'launcher-allfail'));
    const handle = await startSearch(client, spec, { searchId: localSearchId('allfail', 'a1'), taskQueue: 'allfail' });
    await assert.rejects(handle.result(), (err: Error) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.equal((err.cause as { type?: string } | undefined)?.type, 'NoTrialSucceeded');
      assert.match(String(err.cause?.message), /no trial succeeded: all 2 failed; last: .*exit 2/);
      return true;
    });
  });
});
