/**
 * A graceful worker stop is not a trial cancellation (issue 12). A `nasflow worker` process runs a
 * search whose trials are local processes (paced NAS-Bench-201 answers, runAs: process); once
 * several trials run, SIGTERM goes to the worker's whole process group, as a terminal's Ctrl-C or
 * a container runtime would send it. The SDK's graceful shutdown cancels the running awaitTrial
 * activities; every trial process must outlive the worker, and a new worker must re-attach to them
 * and finish the search with each trial launched once and counted once.
 */
import { spawnWorkerProcess } from '../helpers/worker-process.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import { isAlive } from '../../src/dev/service.js';
import type { TemporalEndpoints } from '../../src/dev/temporal.js';
import { startTemporal, type Handle } from '../helpers/infra.js';
import { makeSearch } from '../helpers/search-builder.js';
import { eventually } from '../helpers/wait.js';

interface LaunchLine {
  trialId: string;
  attempt: number;
  pid: number;
}

/** Whether any process of the group `pgid` is left. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids of a process's children (the trainer under a trial's recording shell). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

void describe('SIGTERM to a worker leaves its local trials running for the next worker', () => {
  let temporal: Handle<TemporalEndpoints>;
  let client: Client;
  let connection: Connection;
  let root: string;
  const workers: ChildProcess[] = [];
  const trialPids: number[] = [];
  let log = '';

  /** A worker in its own process group (detached), so the test can signal the group as a whole. */
  const spawnWorker = (taskQueue: string, workDir: string): ChildProcess => {
    const child = spawnWorkerProcess(temporal.address, taskQueue, workDir, { detached: true, onStderr: (text) => (log += text) });
    workers.push(child);
    return child;
  };

  before(async () => {
    temporal = await startTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    root = mkdtempSync(join(tmpdir(), 'nasflow-shutdown-'));
  });

  after(async () => {
    for (const w of workers) if (w.pid && groupAlive(w.pid)) process.kill(-w.pid, 'SIGKILL');
    for (const pid of trialPids) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    await connection?.close();
    await temporal?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps 100% of running trial processes alive across SIGTERM; a new worker re-attaches and counts each trial once', async () => {
    const storage = join(root, 'store');
    const workDir = join(root, 'launcher');
    const taskQueue = 'shutdown';
    const parallelism = 4;
    const maxTrials = 6;
    // Paced so that each trial process runs 20-60 s: long enough to be running through the
    // worker's shutdown and the start of the next worker on a loaded machine.
    const spec = makeSearch('shutdown', storage)
      .trials(maxTrials, parallelism)
      .set('evaluator', { type: 'benchmark', benchmark: 'nb201-cifar10', secondsPerSimulatedHour: 800, runAs: 'process' })
      .obj();
    const searchId = localSearchId('shutdown', 's1');
    const first = spawnWorker(taskQueue, workDir);
    const handle = await startSearch(client, spec, { searchId, taskQueue });

    const launchLog = join(workDir, 'launches.log');
    const readLaunches = (): LaunchLine[] =>
      existsSync(launchLog)
        ? readFileSync(launchLog, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as LaunchLine)
        : [];
    // Wait until `parallelism` trials run: each recording shell alive with its trial process under it.
    const running = await eventually(
      async () => {
        const lines = readLaunches();
        assert.equal(lines.length, parallelism, `waiting for ${parallelism} launches; ${lines.length} so far`);
        const procs = lines.map((l) => ({ line: l, shell: l.pid, children: childrenOf(l.pid) }));
        for (const p of procs) assert.ok(isAlive(p.shell) && p.children.length > 0, `trial ${p.line.trialId} running`);
        return procs;
      },
      300_000,
      200,
    );
    for (const p of running) trialPids.push(p.shell);
    // ... and the worker is waiting on each of them: an awaitTrial started there and heartbeating.
    // (A SIGTERM before that cancels nothing: the launches alone would prove little.)
    await eventually(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const waiting = pending.filter((a) => a.activityType?.name === 'awaitTrial' && a.lastHeartbeatTime);
        assert.equal(waiting.length, parallelism, `awaitTrial heartbeating for ${waiting.length} of ${parallelism} trials`);
      },
      300_000,
      200,
    );

    process.kill(-first.pid!, 'SIGTERM');
    // The worker (and the Node re-exec wrapper, where there is one) ends: the whole group is gone.
    await eventually(async () => assert.ok(!groupAlive(first.pid!), 'worker group still alive'), 120_000, 100);
    assert.match(log, /nasflow worker: polling/, 'the worker had started');

    const survivors = running.filter((p) => isAlive(p.shell) && p.children.every((c) => isAlive(c)));
    assert.equal(
      survivors.length,
      running.length,
      `trial processes alive after the worker stopped: ${survivors.length} of ${running.length}\n${log.slice(-3000)}`,
    );

    spawnWorker(taskQueue, workDir);
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded', result.progress.reason);
    assert.equal(result.progress.counts.succeeded, maxTrials);
    assert.equal(result.progress.counts.failed, 0);
    assert.equal(result.progress.counts.infraRetries, 0, 'the shutdown cost no trial a retry');

    // Each trial launched once (attempt 1 only): the new worker re-attached instead of relaunching.
    const lines = readLaunches();
    assert.deepEqual(
      lines.map((l) => l.attempt),
      lines.map(() => 1),
      'every trial on its first attempt',
    );
    assert.equal(new Set(lines.map((l) => l.trialId)).size, lines.length, 'no trial launched twice');
    assert.equal(lines.length, maxTrials);
    // The trials that ran through the shutdown ended by themselves, with exit code 0.
    for (const p of running) {
      const dir = attemptDir(workDir, p.line.pid);
      assert.equal(readFileSync(join(dir, 'exit'), 'utf8').trim(), '0', `trial ${p.line.trialId} exited 0`);
    }
    const trialsRoot = join(storage, 'searches', searchId, 'trials', searchId);
    const results = readdirSync(trialsRoot).flatMap((round) =>
      readdirSync(join(trialsRoot, round)).filter((i) => existsSync(join(trialsRoot, round, i, 'result.json'))),
    );
    assert.equal(results.length, maxTrials);
  });
});

/** The attempt folder whose pid file names `pid`. */
function attemptDir(workDir: string, pid: number): string {
  const trials = join(workDir, 'trials');
  for (const t of readdirSync(trials)) {
    for (const a of readdirSync(join(trials, t))) {
      const dir = join(trials, t, a);
      if (existsSync(join(dir, 'pid')) && Number(readFileSync(join(dir, 'pid'), 'utf8').trim()) === pid) return dir;
    }
  }
  throw new Error(`no attempt folder with pid ${pid}`);
}
