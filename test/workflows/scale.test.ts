import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import { makeSearch } from '../helpers/search-builder.js';
import { getSpace } from '../../src/space/index.js';
import { isStepRecord, loadAt } from '../../src/search/state-ledger.js';
import { LocalStore } from '../../src/store/local-store.js';
import { getJson } from '../../src/store/object-store.js';
import { startSearchHarness, type SearchHarness } from './search-harness.js';

describe('a 2,000-trial search keeps every workflow run small', () => {
  let h: SearchHarness;
  before(async () => {
    h = await startSearchHarness('scale');
    await h.startWorker();
  });
  after(() => h?.stop());

  it('runs 2,000 trials with every run under 10,000 history events', async () => {
    const spec = makeSearch('scale', h.storage)
      .algorithm({ evolution: { population: 50, sample: 10 } })
      .trials(2000, 50)
      .obj();
    const searchId = localSearchId('scale', 's1');
    const handle = await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue });
    const result = await handle.result();
    assert.equal(result.progress.counts.succeeded, 2000);
    assert.equal(result.progress.counts.failed, 0);

    const runs: { runId: string; historyLength: number }[] = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
      const d = await h.client.workflow.getHandle(handle.workflowId, wf.runId).describe();
      runs.push({ runId: wf.runId, historyLength: d.historyLength });
    }
    assert.equal(runs.length, result.progress.runs, 'every run is visible');
    assert.ok(runs.length >= 2, 'the search continued as new at least once');
    for (const r of runs) assert.ok(r.historyLength < 10_000, `run ${r.runId} has ${r.historyLength} events`);
    console.log(`scale: ${runs.length} runs, history lengths ${runs.map((r) => r.historyLength).join(', ')}`);

    // The algorithm state is a ledger (src/search/state-ledger.ts): mostly step records, a snapshot
    // every 16 versions, and its last version restores to all 2,000 trials observed, across the runs.
    const store = new LocalStore(h.storage);
    const versions = (await store.list(`searches/${searchId}/state/`)).flatMap((k) => /\/state\/(\d+)\.json$/.exec(k)?.[1] ?? []).map(Number);
    const last = Math.max(...versions);
    assert.equal(versions.length, last + 1, 'one record per version');
    const snapshots: number[] = [];
    for (const v of versions) if (!isStepRecord(await getJson(store, `searches/${searchId}/state/${v}.json`))) snapshots.push(v);
    assert.ok(snapshots.includes(0) && snapshots.length >= 2, `snapshots at ${snapshots.join(', ')}`);
    assert.ok(snapshots.length * 8 < versions.length, `${snapshots.length} of ${versions.length} versions are snapshots`);
    const restored = (await loadAt(store, searchId, last, getSpace(spec.space))).algorithm.state();
    assert.deepEqual(restored.counts, { proposed: 2000, succeeded: 2000, failed: 0 });
  });
});
