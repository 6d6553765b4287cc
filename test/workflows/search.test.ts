import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import { makeSearch } from '../helpers/search-builder.js';
import { startSearchHarness, type SearchHarness } from './search-harness.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import {
  cancelUpdate,
  leaderboardQuery,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  setMaxTrialsUpdate,
  setParallelismUpdate,
  stopUpdate,
} from '../../workflows/search-handlers.js';
import type { SearchSpecInput } from '../../src/api/search-spec.js';
import { defaultPayloadConverter } from '@temporalio/common';
import { at } from '../../src/common/indexing.js';

/** Matches an update rejected by its validator: the reason travels as the failure's cause. */
function causedBy(pattern: RegExp): (err: Error) => boolean {
  return (err) => pattern.test(`${err.message} ${String((err.cause as Error | undefined)?.message)}`);
}

describe('search workflow on a real Temporal dev server (NAS-Bench-201 evaluator)', () => {
  let h: SearchHarness;

  before(async () => {
    h = await startSearchHarness();
    await h.startWorker();
  });
  after(() => h?.stop());

  const algorithms: [string, SearchSpecInput['algorithm']][] = [
    ['random', { random: {} }],
    ['regularized evolution', { evolution: { population: 8, sample: 3 } }],
    ['NASNet RL controller', { nasnetRL: { batchSize: 5, hidden: 16 } }],
    ['PNAS SMBO', { pnas: { beam: 4 } }],
    ['MnasNet RL with a FLOPs target', { mnasnetRL: { batchSize: 5, hidden: 16, cost: { metric: 'flops', target: 100, constraint: 'soft' } } }],
    ['PONAS accuracy-table search', { ponas: {} }],
  ];
  for (const [title, algorithm] of algorithms) {
    it(`${title}: completes with exactly maxTrials results, unique trials, and a sorted leaderboard`, async () => {
      const name = title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/-+$/, '');
      const spec = makeSearch(name, h.storage).algorithm(algorithm).trials(24, 4).obj();
      const searchId = localSearchId(name, 'a1');
      const handle = await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue });
      const result = await handle.result();
      assert.equal(result.phase, 'Succeeded');
      assert.equal(result.progress.counts.succeeded, 24);
      assert.equal(result.progress.counts.failed, 0);
      const ids = result.leaderboard.map((e) => e.trialId);
      assert.equal(new Set(ids).size, ids.length);
      for (let i = 1; i < result.leaderboard.length; i++) assert.ok(result.leaderboard[i - 1]!.accuracy >= result.leaderboard[i]!.accuracy);
      assert.ok(at(result.leaderboard, 0).testAccuracy! > 0, 'the benchmark reports test accuracy beside the search signal');
      // Every trial left its spec and result in the store, under the deterministic ids.
      const trialDir = join(h.storage, 'searches', searchId, 'trials', searchId);
      const rounds = readdirSync(trialDir);
      const trialCount = rounds.reduce((n, r) => n + readdirSync(join(trialDir, r)).length, 0);
      assert.equal(trialCount, 24);
    });
  }

  it('applies pause, resume, parallelism and max-trials updates to a running search', async () => {
    // ~3.6 s of wall time per simulated hour: NB201 trials take about 0.1-0.5 s each.
    const spec = makeSearch('controls', h.storage).trials(12, 1).pace(3).obj();
    const handle = await startSearch(h.client, spec, { searchId: localSearchId('controls', 'c1'), taskQueue: h.taskQueue });
    await eventually(async () => assert.ok((await handle.query(progressQuery)).counts.succeeded >= 1));

    const paused = await handle.executeUpdate(pauseUpdate);
    assert.equal(paused.phase, 'Paused');
    await eventually(async () => assert.equal((await handle.query(progressQuery)).counts.running, 0));
    // Only the trials running when the pause was applied finish; a propose in flight at the pause
    // keeps its proposals for the resume instead of launching them.
    const frozen = (await handle.query(progressQuery)).counts.succeeded;
    assert.equal(frozen, paused.counts.succeeded + paused.counts.running, 'no trial launched after the pause');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await handle.query(progressQuery)).counts.succeeded, frozen, 'no trial completes while paused');

    await assert.rejects(handle.executeUpdate(setParallelismUpdate, { args: [0] }), causedBy(/parallelism must be an integer from 1/));
    await assert.rejects(handle.executeUpdate(setMaxTrialsUpdate, { args: [frozen - 1] }), causedBy(/maxTrials must be an integer of at least/));
    const widened = await handle.executeUpdate(setParallelismUpdate, { args: [4] });
    assert.equal(widened.parallelism, 4);
    const extended = await handle.executeUpdate(setMaxTrialsUpdate, { args: [16] });
    assert.equal(extended.maxTrials, 16);
    const resumed = await handle.executeUpdate(resumeUpdate);
    assert.equal(resumed.phase, 'Running');
    await eventually(async () => assert.ok((await handle.query(progressQuery)).counts.running > 1, 'parallelism 4 takes effect'), TIMEOUTS.long, 20);

    const result = await handle.result();
    assert.equal(result.progress.counts.succeeded, 16, 'the extended budget was used');
    const top = await handle.query(leaderboardQuery, 3);
    assert.equal(top.length, 3);
  });

  it('stop lets running trials finish and completes early', async () => {
    const spec = makeSearch('stopping', h.storage).trials(50, 2).pace(3).obj();
    const handle = await startSearch(h.client, spec, { searchId: localSearchId('stopping', 's1'), taskQueue: h.taskQueue });
    await eventually(async () => assert.ok((await handle.query(progressQuery)).counts.succeeded >= 2));
    const stopping = await handle.executeUpdate(stopUpdate);
    assert.equal(stopping.phase, 'Stopping');
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded');
    assert.ok(result.progress.counts.succeeded < 50);
    assert.equal(result.progress.counts.running, 0);
  });

  it('budget.maxDurationSeconds stops launching at the deadline; running trials finish', async () => {
    const spec = makeSearch('deadline', h.storage).trials(500, 2).pace(3).budget({ maxDurationSeconds: 4 }).obj();
    const result = await (await startSearch(h.client, spec, { searchId: localSearchId('deadline', 'd1'), taskQueue: h.taskQueue })).result();
    assert.equal(result.phase, 'Succeeded');
    assert.match(result.progress.reason ?? '', /budget\.maxDurationSeconds \(4 s\) reached/);
    assert.ok(result.progress.counts.succeeded > 0 && result.progress.counts.succeeded < 500, `${result.progress.counts.succeeded} trials`);
    assert.equal(result.progress.counts.running, 0);
    assert.equal(result.progress.counts.cancelled, 0, 'running trials were not cancelled');
    assert.ok(result.progress.elapsedMs >= 4000, `ended after ${result.progress.elapsedMs} ms`);
  });

  it('continues as new with a small history limit and still runs every trial exactly once', async () => {
    const spec = makeSearch('long', h.storage)
      .algorithm({ evolution: { population: 10, sample: 3 } })
      .trials(120, 8)
      .obj();
    const handle = await startSearch(h.client, spec, { searchId: localSearchId('long', 'l1'), taskQueue: h.taskQueue, historyLimit: 150 });
    const result = await handle.result();
    assert.equal(result.progress.counts.succeeded, 120);
    assert.ok(result.progress.runs >= 3, `expected several runs, got ${result.progress.runs}`);
    // Each run's history stays under the limit plus one round of slack.
    const first = await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    assert.ok(first.historyLength <= 400, `first run history ${first.historyLength}`);
    const last = await handle.describe();
    assert.ok(last.historyLength <= 400, `last run history ${last.historyLength}`);
  });
  it('cancel ends a search whose first step can never finish (object store unreachable)', async () => {
    const env = { ...process.env, NASFLOW_S3_ENDPOINT: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-1' };
    await h.startWorker({ taskQueue: 'unreachable', env });
    const spec = makeSearch('unreachable', 's3://nasflow-unreachable/runs').obj();
    const handle = await startSearch(h.client, spec, { searchId: localSearchId('unreachable', 'u1'), taskQueue: 'unreachable' });
    // An outage is retried, so initSearch never completes; wait until it has failed at least once.
    await eventually(async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      assert.ok(
        pending.some((a) => a.activityType?.name === 'initSearch' && (a.attempt ?? 1) >= 2),
        'initSearch is retrying',
      );
    }, TIMEOUTS.long);
    const cancelled = await handle.executeUpdate(cancelUpdate);
    assert.equal(cancelled.phase, 'Cancelled');
    const result = await handle.result();
    assert.equal(result.phase, 'Cancelled');
    assert.equal(result.progress.counts.succeeded + result.progress.counts.failed, 0);
  });
  it('explains itself in the Temporal UI: trial activities carry summaries, current details show progress and the best trial', async () => {
    const spec = makeSearch('ui-details', h.storage).algorithm({ random: {} }).trials(6, 2).obj();
    const searchId = localSearchId('ui-details', 'u1');
    const handle = await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue });
    const result = await handle.result();
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /^\*\*Succeeded\*\* · random · 6\/6 trials/);
    const best = at(result.leaderboard, 0);
    assert.ok(metadata.currentDetails!.includes(`Best: **${best.accuracy.toFixed(2)} %** · ${best.trialId}`), metadata.currentDetails);

    const history = await handle.fetchHistory();
    const summaries = new Map<string, string[]>();
    for (const e of history.events ?? []) {
      const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (!type) continue;
      const summary = e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : '';
      summaries.set(type, [...(summaries.get(type) ?? []), summary]);
    }
    const trained = summaries.get('awaitTrial') ?? [];
    assert.equal(trained.length, 6, 'one awaitTrial per trial');
    for (const entry of result.leaderboard) {
      assert.ok(trained.includes(`train ${entry.trialId}: ${entry.summary}`), `a summary names ${entry.trialId} and its genotype; got ${trained.join(' | ')}`);
    }
    assert.ok((summaries.get('launchTrial') ?? []).every((t) => t.startsWith('launch ')));
  });
});
