import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import { makeSearch } from '../helpers/search-builder.js';
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
  });
});
