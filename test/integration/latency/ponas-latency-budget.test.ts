/**
 * PONAS under a latency budget with a table profiled for real on the native backend: a slice of
 * the ponas space (layers 1-2 x candidates 0 and 11 at 8 px) is timed with the trainer's protocol,
 * written to a file, named by a search spec (`cost.metric: latency`, `cost.latencyTable`), and the
 * search created from that spec picks a network within the budget (in ms) that differs from its
 * unconstrained pick. The other 17 layers keep candidate 0 at 0 ms (the test's table, not
 * measured): the slice is what keeps the profile short on a loaded machine. Nothing here depends
 * on timing values beyond "positive and finite": the accuracies are set so that the better
 * candidate of each layer is the one the profile found costlier, whichever that is.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBackend } from '../../../src/trainer/backend.js';
import { profileLatency } from '../../../src/latency/profile.js';
import { ponasSpecWith } from '../../helpers/made-up-latency-table.js';
import { parseSearchSpec } from '../../../src/api/search-spec.js';
import { createFromSpec } from '../../../src/search/algorithm-from-spec.js';
import { getSpace } from '../../../src/space/index.js';
import { PonasSearch } from '../../../src/algorithms/ponas/ponas-search.js';
import { PONAS_CANDIDATES, PONAS_SKELETON } from '../../../src/space/ponas.js';
import { at } from '../../../src/common/indexing.js';

const CANDIDATES = [0, 11];

void describe('PONAS latency budget from a profiled table (native backend)', { timeout: 20 * 60_000 }, () => {
  void it('picks within the budget in ms, and not the unconstrained pick', async () => {
    const backend = await loadBackend('node', () => undefined);
    assert.equal(backend.backend, 'tensorflow', 'the native backend loaded');
    const profiled = profileLatency({
      space: 'ponas',
      imageSize: 8,
      classes: 10,
      batch: 1,
      warmup: 1,
      runs: 3,
      slice: { layers: [1, 2], candidates: CANDIDATES },
      backend,
      now: () => performance.now(),
    });
    assert.equal(profiled.backend.name, 'tensorflow');
    assert.deepEqual(Object.keys(profiled.entries).sort(), ['layer1=0', 'layer1=11', 'layer2=0', 'layer2=11']);
    for (const v of [profiled.base, ...Object.values(profiled.entries)]) assert.ok(Number.isFinite(v) && v >= 0, `${v}`);
    assert.ok(profiled.base > 0);

    const entries: Record<string, number> = { ...profiled.entries };
    PONAS_SKELETON.forEach((_, l) => PONAS_CANDIDATES.forEach((_c, c) => (entries[`layer${l + 1}=${c}`] ??= 0)));
    const path = join(mkdtempSync(join(tmpdir(), 'nasflow-ponas-lat-')), 'ponas.json');
    writeFileSync(path, JSON.stringify({ ...profiled, entries }));

    const e = (l: number, c: number): number => entries[`layer${l + 1}=${c}`]!; // filled above for every layer and candidate
    // Per layer: the costlier candidate is the more accurate one.
    const dear = [0, 1].map((l) => (e(l, 11) >= e(l, 0) ? 11 : 0));
    const cheap = dear.map((c) => (c === 11 ? 0 : 11));
    const table = PONAS_SKELETON.map((_, l) =>
      PONAS_CANDIDATES.map((_c, c) => (l < 2 ? (c === dear[l] ? 60 : c === cheap[l] ? 50 : null) : c === 0 ? 0 : null)),
    );
    const total = (choice: number[]): number => profiled.base + choice.reduce((s, c, l) => s + e(l, c), 0);
    const [minMs, maxMs] = [total(cheap), total(dear)];
    assert.ok(maxMs > minMs, `the two candidates timed the same on both layers (${minMs} ms); nothing to constrain`);
    const budget = (minMs + maxMs) / 2;

    const spec = parseSearchSpec(ponasSpecWith({ budget, cost: { metric: 'latency', latencyTable: path } }, 8));
    const search = createFromSpec(spec, getSpace('ponas'), { ponas: { table } });
    assert.ok(search instanceof PonasSearch);
    const { pick, front } = search.selection();
    assert.ok(pick, `nothing under ${budget} ms`);
    assert.ok(pick.cost <= budget + 1e-9, `${pick.cost} ms > budget ${budget} ms`);
    assert.ok(Math.abs(pick.cost - total(pick.choice.slice(0, 2))) < 1e-6, 'the pick costs what the table predicts, base included');
    const unconstrained = at(front, front.length - 1, 'front');
    assert.deepEqual(unconstrained.choice.slice(0, 2), dear);
    assert.notDeepEqual(pick.choice, unconstrained.choice);
  });
});
