/**
 * Issue 12's recorded failure (shared histories `worker-restart-{1,2}`, kept in
 * test/replay/obsolete/): a worker died with trials running; completions piled up; a fresh worker
 * with an empty cache handled them live in two groups, while a replay delivers them in one, and the
 * old loop decided differently for the two groupings. SearchRun now decides per event in history
 * order (docs/durability.md). This test walks the same path on a real server: a workflow worker
 * process dies (SIGKILL) with three trials held, one completes, a fresh worker answers a query with
 * an empty cache, the other two complete, the search runs to its end, and its history replays.
 * Limit, measured: on this dev server the query waits for the parked workflow task, so the live
 * run does not split the completions, and the code before the fix passes this test too; the
 * continuous check is the chaos soak, which replays every history it produced.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createSearchActivities } from '../../activities/search.activities.js';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import type { TrialOutcome } from '../../src/common/search-types.js';
import { createSearchDeps } from '../../src/worker/search-deps.js';
import { WORKFLOWS_PATH } from '../../src/worker/worker.js';
import { progressQuery } from '../../workflows/search-handlers.js';
import { makeSearch } from '../helpers/search-builder.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { startSearchHarness, type SearchHarness } from './search-harness.js';

const step = (what: string): void => {
  process.stderr.write(`[grouped] ${new Date().toISOString()} ${what}\n`);
};
/** Another workflow bundle to check the test against (e.g. the code before the fix). */
const WORKFLOWS = process.env.NASFLOW_TEST_WORKFLOWS_PATH ?? WORKFLOWS_PATH;
const WORKFLOW_ONLY_WORKER = fileURLToPath(new URL('../helpers/workflow-only-worker.js', import.meta.url));

/** Holds each trial's awaitTrial result until the test releases it (or releases all from then on). */
class TrialGate {
  private readonly held = new Map<string, () => void>();
  private open = false;

  get waiting(): string[] {
    return [...this.held.keys()].sort();
  }

  async pass(trialId: string): Promise<void> {
    if (this.open) return;
    await new Promise<void>((resolve) => this.held.set(trialId, resolve));
  }

  release(trialId: string): void {
    const resolve = this.held.get(trialId);
    assert.ok(resolve, `${trialId} is not held`);
    this.held.delete(trialId);
    resolve();
  }

  openAll(): void {
    this.open = true;
    for (const id of this.waiting) this.release(id);
  }
}

describe('completions grouped differently live and on replay (issue 12 regression)', () => {
  let h: SearchHarness;
  let native: NativeConnection;
  const workers: { worker: Worker; run: Promise<void> }[] = [];
  let killable: ChildProcess | undefined;

  before(async () => {
    h = await startSearchHarness('nasflow-grouped');
    native = await NativeConnection.connect({ address: h.temporal.address });
  });
  after(async () => {
    killable?.kill('SIGKILL');
    for (const w of workers) {
      if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
      await w.run.catch(() => undefined);
    }
    await native?.close();
    await h?.stop();
  });

  it('a search whose worker died, queried by a fresh worker between completions, replays without nondeterminism', async () => {
    const gate = new TrialGate();
    const real = createSearchActivities(createSearchDeps({ env: process.env, workDir: h.workDir, pollIntervalMs: 50 }));
    const activities = {
      ...real,
      awaitTrial: async (ref: Parameters<typeof real.awaitTrial>[0]): Promise<TrialOutcome> => {
        const outcome = await real.awaitTrial(ref);
        // Held trials keep heartbeating, as a trial still running would.
        const ctx = Context.current();
        const beat = setInterval(() => ctx.heartbeat(), 1000);
        try {
          await gate.pass(ref.trialId);
        } finally {
          clearInterval(beat);
        }
        return outcome;
      },
    };
    const activityWorker = await Worker.create({ connection: native, namespace: h.temporal.namespace, taskQueue: h.taskQueue, activities });
    workers.push({ worker: activityWorker, run: activityWorker.run() });

    // The first workflow worker runs in its own process so that it can die as a killed pod does.
    killable = spawn(process.execPath, [WORKFLOW_ONLY_WORKER, h.temporal.address, h.temporal.namespace, h.taskQueue, '20', WORKFLOWS], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(killable.stdout!, 'data');

    const spec = makeSearch('grouped', h.storage)
      .algorithm({ evolution: { population: 4, sample: 2 } })
      .trials(9, 3)
      .obj();
    const searchId = localSearchId('grouped', 'g1');
    const handle = await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue });
    await eventually(async () => assert.equal(gate.waiting.length, 3), TIMEOUTS.long);
    const [first, ...rest] = gate.waiting;
    assert.ok(first !== undefined);
    step('3 trials held');

    killable.kill('SIGKILL');
    await once(killable, 'exit');
    killable = undefined;
    step('worker killed');
    gate.release(first);
    await eventually(async () => assert.equal(await completedAwaits(h, handle.workflowId), 1), TIMEOUTS.long);
    // The workflow task for that completion is parked on the dead worker's sticky queue.

    step('first completion recorded');
    const fresh = await Worker.create({ connection: native, namespace: h.temporal.namespace, taskQueue: h.taskQueue, workflowsPath: WORKFLOWS });
    workers.push({ worker: fresh, run: fresh.run() });
    // The fresh worker answers a query with an empty cache (the server answers it once the parked
    // task has moved to the normal queue; a query that waits on the dead worker's queue is retried).
    const seen = await eventually(() => h.client.connection.withDeadline(Date.now() + 3_000, () => handle.query(progressQuery)), TIMEOUTS.long, 500);
    assert.equal(seen.phase, 'Running');
    for (const id of rest) gate.release(id);
    step('query answered');
    await eventually(async () => assert.equal(await completedAwaits(h, handle.workflowId), 3), TIMEOUTS.long);

    gate.openAll();
    step('all completions recorded');
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded');
    assert.equal(result.progress.counts.succeeded, 9);

    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS }, history, searchId);
  });
});

async function completedAwaits(h: SearchHarness, workflowId: string): Promise<number> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  let n = 0;
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    const c = e.activityTaskCompletedEventAttributes;
    if (c && scheduled.get(String(c.scheduledEventId)) === 'awaitTrial') n++;
  }
  return n;
}
