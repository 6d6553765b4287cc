/**
 * PONAS's one-shot stages driven by the search workflow on a real Temporal dev server, with real
 * trainer processes and every object (dataset, supernet weights, tables, state) on a real S3
 * server: meta-training, one progressive trial per table row chained through `init`, then the
 * budgeted selection trained as child trials. A reduced supernet (3 layers, 4 candidates,
 * width x0.25, 8x8 images) keeps it to well under a minute.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { WorkflowFailedError } from '@temporalio/client';
import { bruteForce } from '../../src/algorithms/ponas/select.js';
import type { AlgorithmState } from '../../src/algorithms/types.js';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import { costOf } from '../../src/models/index.js';
import { PonasSearch } from '../../src/algorithms/ponas/ponas-search.js';
import { createFromSpec } from '../../src/search/algorithm-from-spec.js';
import { ponasCostMacro, ponasCostTableFor, type PonasCostTable } from '../../src/search/ponas-costs.js';
import { supernetTrialId, type AccuracyTableFile } from '../../src/search/ponas-one-shot.js';
import { getSpace } from '../../src/space/index.js';
import type { SearchSpec } from '../../src/api/search-spec.js';
import { getJson } from '../../src/store/object-store.js';
import { openPrefix } from '../../src/store/uri.js';
import { stateKey, tableKey, trialPrefix, trialResultKey, trialSpecKey } from '../../src/api/store-layout.js';
import { parseSupernetSpec } from '../../src/trainer/supernet/spec.js';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { progressQuery, stopUpdate, cancelUpdate } from '../../workflows/search-handlers.js';
import { startS3Bucket, type S3Bucket } from '../helpers/infra.js';
import { makeSearch } from '../helpers/search-builder.js';
import { eventually, TIMEOUTS } from '../helpers/wait.js';
import { startSearchHarness, type SearchHarness } from './search-harness.js';
import { at } from '../../src/common/indexing.js';

const CANDIDATES = [0, 3, 6, 11];
const LAYERS = 3;
const STORAGE = 's3://nas/runs';

function oneShotSpec(name: string, ponas: Record<string, unknown>, maxTrials = 2): SearchSpec {
  return makeSearch(name, STORAGE)
    .algorithm({
      ponas: {
        supernet: { layers: LAYERS, candidates: CANDIDATES, widthMultiplier: 0.25, fineTuneSteps: 6, evalPaths: 2, metaTrial: { epochs: 2 } },
        ...ponas,
      },
    })
    .set('space', 'ponas')
    .set('macro', { classes: 4, headFilters: 64 })
    .set('evaluator', { type: 'train' })
    .set('dataset', 's3://nas/data')
    .set('trial', { epochs: 1, batchSize: 16, imageSize: 8, valFraction: 0.25, checkpointEverySteps: 4, lr: { initial: 0.1 } })
    .budget({ maxTrials, parallelism: 2, maxFailedTrials: 0 })
    .obj();
}

describe('PONAS one-shot stages in the search workflow (real Temporal, S3, trainer processes)', () => {
  let bucket: S3Bucket;
  let h: SearchHarness;
  let env: NodeJS.ProcessEnv;
  const opened: { close(): void }[] = [];
  const store = () => {
    const o = openPrefix(STORAGE, env);
    opened.push(o);
    return o.store;
  };

  before(async () => {
    bucket = await startS3Bucket('nas');
    env = { ...process.env, ...bucket.env };
    const synth = spawnSync(
      process.execPath,
      [CLI_ENTRY, 'dataset', 'synth', '--out', 's3://nas/data', '--classes', '4', '--train', '240', '--test', '0', '--seed', '8'],
      { env, encoding: 'utf8' },
    );
    assert.equal(synth.status, 0, synth.stderr);
    h = await startSearchHarness('ponas-one-shot');
    await h.startWorker({ env, maxLocalTrials: 2 });
  });
  after(async () => {
    opened.forEach((o) => o.close());
    await h?.stop();
    await bucket?.stop();
  });

  it('meta-trains, fills the table row by row from the previous weights, and trains the budgeted pick first', async (t) => {
    // A budget that binds: halfway between the cheapest and the dearest network the supernet can select.
    const probe = oneShotSpec('oneshot', {});
    const costMacro = ponasCostMacro(probe);
    const reference = (createFromSpec(probe, getSpace('ponas')) as PonasSearch<unknown>).reference();
    const rowCosts = ponasCostTableFor(probe).costs.map((row, l) => (l < LAYERS ? CANDIDATES.map((c) => at(row, c)) : [at(row, at(reference, l))]));
    const sum = (pick: (xs: number[]) => number) => rowCosts.reduce((total, xs) => total + pick(xs), 0);
    const budget = (sum((xs) => Math.min(...xs)) + sum((xs) => Math.max(...xs))) / 2;
    const spec = oneShotSpec('oneshot', { budget });
    const searchId = localSearchId('oneshot', 'a1');
    const result = await (await startSearch(h.client, spec, { searchId, taskQueue: h.taskQueue })).result();
    assert.equal(result.phase, 'Succeeded', result.progress.reason);
    assert.equal(result.progress.counts.succeeded, 2, 'exactly maxTrials child trials');
    assert.equal(result.progress.counts.failed, 0);
    const oneShot = result.progress.oneShot!;
    assert.equal(oneShot.stage, 'children');
    assert.equal(oneShot.rowsDone, LAYERS);
    assert.equal(oneShot.winners.length, LAYERS);

    const s = store();
    // One supernet trial per step, each with a result; step l+1 starts from step l's weights.
    for (let step = 0; step <= LAYERS; step++) {
      const id = supernetTrialId(searchId, step);
      const trialSpec = parseSupernetSpec(await getJson(s, trialSpecKey(searchId, id)));
      const trialResult = (await getJson(s, trialResultKey(searchId, id))) as { phase: string; valAccuracy: number };
      assert.equal(trialResult.phase, step === 0 ? 'meta' : 'progressive');
      assert.ok(await s.exists(`${trialPrefix(searchId, id)}/supernet.bin`), `${id} left its weights for the next step`);
      if (trialSpec.phase.type === 'progressive') {
        assert.equal(trialSpec.phase.layer, step - 1);
        assert.equal(trialSpec.phase.init, `${STORAGE}/${trialPrefix(searchId, supernetTrialId(searchId, step - 1))}`);
      } else {
        assert.equal(step, 0);
        assert.equal(trialSpec.recipe.epochs, 2, 'metaTrial overrides the recipe for meta-training');
      }
    }

    // The table holds every measured row; each later row was measured with the earlier winners fixed.
    const table = (await getJson(s, tableKey(searchId, 'ponas-accuracy'))) as AccuracyTableFile;
    assert.equal(table.rows.length, LAYERS);
    table.rows.forEach((row, l) => {
      assert.equal(row.layer, l);
      const measured = at(table.table, l).flatMap((v, c) => (v === null ? [] : [c]));
      assert.deepEqual(measured, CANDIDATES, `row ${l} measured exactly the supernet's candidates`);
      const winners = table.rows.slice(0, l).map((earlier) => earlier.accuracies.reduce((a, b) => (b.accuracy > a.accuracy ? b : a)).slot);
      assert.deepEqual(row.fixed, winners, `row ${l} fixed the earlier rows' winners`);
    });
    for (let l = LAYERS; l < 19; l++) assert.ok(at(table.table, l).every((v) => v === null));

    // The first child is the exact budgeted optimum over the measured table and the cost table.
    const costs = (await getJson(s, tableKey(searchId, 'ponas-cost'))) as PonasCostTable;
    const state = (await getJson(s, stateKey(searchId, 1))) as AlgorithmState;
    assert.deepEqual((state.data as { algo: { reference: number[] } }).algo.reference, reference);
    const effective = table.table.map((row, l) => (l < LAYERS ? row : row.map((_, c) => (c === reference[l] ? 0 : null))));
    const optimum = bruteForce(effective, costs.costs, budget)!;
    const unconstrained = bruteForce(effective, costs.costs, Infinity)!;
    const space = getSpace('ponas');
    const firstChild = (await getJson(s, trialSpecKey(searchId, `${searchId}/0/0`))) as { genotype: unknown };
    const chosen = space.encode(space.parse(firstChild.genotype));
    assert.deepEqual(chosen, optimum.choice);
    const built = costOf('ponas', firstChild.genotype, costMacro).multAdds / 1e6;
    assert.ok(built <= budget + 1e-9, `the budgeted pick costs ${built} MFLOPs as built; budget ${budget}`);
    assert.ok(Math.abs(built - optimum.cost) < 1e-6, 'the cost table agrees with the cost model');
    t.diagnostic(
      `table winners ${oneShot.winners.join(' ')}; pick ${built.toFixed(3)} MFLOPs under ${budget.toFixed(3)} (unconstrained optimum ${unconstrained.cost.toFixed(3)}); children ${result.leaderboard.map((e) => e.accuracy).join(', ')}`,
    );
  });

  it('a budget below the cheapest selectable network fails before any training, naming the field', async () => {
    const searchId = localSearchId('oneshot-poor', 'b1');
    const handle = await startSearch(h.client, oneShotSpec('oneshot-poor', { budget: 0.5 }), { searchId, taskQueue: h.taskQueue });
    const rootMessage = (err: unknown): string =>
      err instanceof Error && err.cause instanceof Error ? rootMessage(err.cause) : String((err as Error)?.message);
    await assert.rejects(
      handle.result(),
      (err: unknown) =>
        err instanceof WorkflowFailedError && /spec\.algorithm\.ponas\.budget: 0\.5 MFLOPs is below the cheapest network/.test(rootMessage(err)),
    );
    assert.equal(await store().exists(trialSpecKey(searchId, supernetTrialId(searchId, 0))), false, 'no supernet trial was written');
  });

  it('stop during meta-training lets the supernet trial finish and ends without children; cancel during a table row cancels it', async () => {
    const slow = (name: string) => {
      const spec = oneShotSpec(name, {});
      return {
        ...spec,
        algorithm: { ponas: { ...spec.algorithm.ponas, supernet: { ...spec.algorithm.ponas!.supernet!, metaTrial: { epochs: 6 } } } },
      } as SearchSpec;
    };
    const stopId = localSearchId('oneshot-stop', 'c1');
    const stopping = await startSearch(h.client, slow('oneshot-stop'), { searchId: stopId, taskQueue: h.taskQueue });
    await eventually(async () => {
      const p = await stopping.query(progressQuery);
      assert.equal(p.oneShot?.stage, 'meta');
      assert.equal(p.counts.running, 1);
    }, TIMEOUTS.long);
    await stopping.executeUpdate(stopUpdate);
    const stopped = await stopping.result();
    assert.equal(stopped.phase, 'Succeeded');
    assert.match(stopped.progress.reason ?? '', /stopped during the PONAS supernet stage \(0 of 3 table rows measured\)/);
    assert.equal(stopped.progress.counts.succeeded, 0);
    assert.ok(await store().exists(trialResultKey(stopId, supernetTrialId(stopId, 0))), 'the running meta trial finished');
    assert.equal(await store().exists(trialSpecKey(stopId, supernetTrialId(stopId, 1))), false, 'no table row started after stop');

    const cancelId = localSearchId('oneshot-cancel', 'c2');
    const cancelling = await startSearch(h.client, oneShotSpec('oneshot-cancel', {}), { searchId: cancelId, taskQueue: h.taskQueue });
    await eventually(
      async () => {
        const p = await cancelling.query(progressQuery);
        assert.equal(p.oneShot?.stage, 'table');
        assert.equal(p.counts.running, 1);
        assert.ok(p.oneShot.stageEtaMs! > 0, 'an ETA for the rest of the supernet stages');
      },
      TIMEOUTS.long,
      50,
    );
    await cancelling.executeUpdate(cancelUpdate);
    const cancelled = await cancelling.result();
    assert.equal(cancelled.phase, 'Cancelled');
    assert.equal(cancelled.progress.counts.succeeded, 0, 'no child trained after cancel');
    assert.equal(cancelled.progress.counts.running, 0);
  });
});
