/**
 * What one algorithm step costs as the search grows, with the whole state restored and rewritten at
 * every step (how versions were stored before the ledger) against the ledger (src/search/state-ledger.ts):
 * the worker's live algorithm plus a step record, with a snapshot amortised over its gap, and the
 * worst restore after a worker restart (a snapshot plus a full gap of steps replayed).
 *
 * Regularized evolution (population 100, sample 25: the scale bench's search) over the NASNet space
 * (two cells, the largest state per trial) and the PNAS cell space, in a local directory store.
 * The state is grown to each size first; a step is a propose of 3 trials and an observe of 3 results.
 *
 *   npm run build && node dist/bench/state-ledger.bench.js [--sizes 1000,5000,20000] [--full-steps 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createAlgorithm, restoreAlgorithm } from '../src/algorithms/registry.js';
import { trialIdsFor, type AlgorithmState, type SearchAlgorithm, type TrialResult } from '../src/algorithms/types.js';
import { stateKey } from '../src/api/store-layout.js';
import { fnv1a32 } from '../src/common/rng.js';
import { getSpace } from '../src/space/index.js';
import type { SearchSpace } from '../src/space/types.js';
import { LiveAlgorithms } from '../src/search/live-algorithms.js';
import { loadAt, saveSnapshot, saveStep, snapshotDue, type LedgerPosition } from '../src/search/state-ledger.js';
import { LocalStore } from '../src/store/local-store.js';
import { getJson, putJson } from '../src/store/object-store.js';
import { machineLine, table, writeSection } from './report.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000,20000' },
    spaces: { type: 'string', default: 'nasnet,pnas' },
    'full-steps': { type: 'string', default: '4' },
    'no-write': { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const spaces = values.spaces.split(',');
const fullSteps = Number(values['full-steps']);
const ARGS = { 'regularized-evolution': { population: 100, sample: 25 } };
const BATCH = 3;

function resultOf(trialId: string, hash: string): TrialResult {
  const h = fnv1a32(hash);
  return h % 20 === 0 ? { trialId, status: 'failed' } : { trialId, status: 'succeeded', accuracy: 80 + (h % 1500) / 100 };
}

/** Proposes and observes `count` trials in batches of 50 (untimed growth). */
function grow(a: SearchAlgorithm<unknown>, from: number, count: number): void {
  for (let done = 0; done < count; done += 50) {
    const ps = a.propose(trialIdsFor('grow', from + done, 50));
    a.observe(ps.map((p) => resultOf(p.trialId, p.hash)));
  }
}

/** A propose of BATCH trials and the observe of their results, as the two steps' inputs. */
function stepInputs(a: SearchAlgorithm<unknown>, round: number) {
  const trialIds = trialIdsFor('step', round, BATCH);
  const proposals = a.propose(trialIds);
  return { trialIds, proposals, results: proposals.map((p) => resultOf(p.trialId, p.hash)) };
}

interface Row {
  space: string;
  trials: number;
  stateMB: number;
  fullMs: number;
  ledgerMs: number;
  gap: number;
  snapshotMs: number;
  restoreMs: number;
}

async function measure(spaceName: string, trials: number, store: LocalStore, searchId: string): Promise<Row> {
  const space = getSpace(spaceName) as SearchSpace<unknown>;
  const grown = createAlgorithm('regularized-evolution', space, 1, ARGS);
  grow(grown, 0, trials);
  const state0 = grown.state();
  const stateMB = JSON.stringify(state0, null, 2).length / 2 ** 20;

  // Before the ledger: each step restores the previous version from the store and writes the whole state.
  await putJson(store, stateKey(`${searchId}-full`, 0), state0);
  let t = performance.now();
  for (let i = 0; i < fullSteps; i++) {
    for (const half of ['propose', 'observe'] as const) {
      const v = 2 * i + (half === 'observe' ? 1 : 0);
      const a = restoreAlgorithm(space, (await getJson(store, stateKey(`${searchId}-full`, v))) as AlgorithmState);
      if (half === 'propose') a.propose(trialIdsFor('step', i, BATCH));
      else a.observe(a.pending().map((id) => ({ trialId: id, status: 'succeeded' as const, accuracy: 90 })));
      await putJson(store, stateKey(`${searchId}-full`, v + 1), a.state());
    }
  }
  const fullMs = (performance.now() - t) / fullSteps;

  // The ledger: the live algorithm continues; each version is a step record, a snapshot once per gap.
  const live = new LiveAlgorithms();
  const ledgerId = `${searchId}-ledger`;
  await saveSnapshot(store, ledgerId, 0, state0);
  live.put(ledgerId, { algorithm: restoreAlgorithm(space, state0), version: 0, snapshot: 0, proposed: state0.counts.proposed });
  let gap = 0;
  while (!snapshotDue(gap, 0, state0.counts.proposed)) gap++;
  // Two versions a step: about gap/2 steps reach the next snapshot; run until it is written so that
  // its cost is in the mean once.
  let snapshotMs = 0;
  let ledgerSteps = 0;
  t = performance.now();
  for (let i = 0; snapshotMs === 0 && i < gap; i++, ledgerSteps++) {
    let at = live.take<unknown>(ledgerId, 2 * i)!;
    const { trialIds, proposals, results } = stepInputs(at.algorithm, i);
    const s0 = performance.now();
    at = await saveStep(store, ledgerId, at, 2 * i + 1, { propose: { trialIds, hashes: proposals.map((p) => p.hash) } });
    if (at.snapshot === 2 * i + 1) snapshotMs = performance.now() - s0;
    at.algorithm.observe(results);
    const s1 = performance.now();
    at = await saveStep(store, ledgerId, at, 2 * i + 2, { observe: results });
    if (at.snapshot === 2 * i + 2) snapshotMs = performance.now() - s1;
    live.put(ledgerId, at);
  }
  const ledgerMs = (performance.now() - t) / ledgerSteps;
  // The worst restore: the version just before the snapshot, a full gap of steps after the last one.
  const last: LedgerPosition<unknown> = live.take<unknown>(ledgerId, 2 * ledgerSteps)!;
  t = performance.now();
  await loadAt(store, ledgerId, last.snapshot > 0 ? last.snapshot - 1 : last.version, space);
  const restoreMs = performance.now() - t;
  return { space: spaceName, trials, stateMB, fullMs, ledgerMs, gap, snapshotMs, restoreMs };
}

const root = mkdtempSync(join(tmpdir(), 'nasflow-ledger-bench-'));
const store = new LocalStore(root);
const load = [loadavg()[0] ?? 0];
const rows: Row[] = [];
try {
  for (const space of spaces) {
    for (const trials of sizes) {
      const row = await measure(space, trials, store, `${space}-${trials}`);
      rows.push(row);
      console.log(
        `${space} ${trials} trials: state ${row.stateMB.toFixed(1)} MB; whole state per step ${row.fullMs.toFixed(0)} ms, ledger ${row.ledgerMs.toFixed(1)} ms (snapshot every ${row.gap} versions: ${row.snapshotMs.toFixed(0)} ms), worst restore ${row.restoreMs.toFixed(0)} ms`,
      );
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
load.push(loadavg()[0] ?? 0);

const f = (x: number, d = 0) => x.toFixed(d);
const md = [
  '## Algorithm state per step: whole state vs ledger (`bench/state-ledger.bench.ts`)',
  '',
  `Measured ${machineLine()}; load average ${load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end.`,
  `Reproduce: \`npm run build && node dist/bench/state-ledger.bench.js --sizes ${sizes.join(',')} --spaces ${spaces.join(',')} --full-steps ${fullSteps}\`.`,
  '',
  'Regularized evolution (population 100, sample 25) grown to each size; one step = a propose of 3 trials and the observe of their results (two state versions), in a local directory store. "Whole state" restores the previous version and writes the full state at each version (how versions were stored before the ledger). "Ledger" continues the worker\'s live algorithm and writes a step record, with one snapshot per gap included in the mean. "Worst restore" is a worker restart at the version just before a snapshot is due: the last snapshot restored and a full gap of steps replayed.',
  '',
  table(
    ['space', 'trials', 'state MB', 'whole state ms/step', 'ledger ms/step', 'ratio', 'snapshot gap (versions)', 'one snapshot ms', 'worst restore ms'],
    rows.map((r) => [
      r.space,
      r.trials,
      f(r.stateMB, 1),
      f(r.fullMs),
      f(r.ledgerMs, 1),
      `${f(r.fullMs / r.ledgerMs, 1)}x`,
      r.gap,
      f(r.snapshotMs),
      f(r.restoreMs),
    ]),
  ),
].join('\n');
console.log(`\n${md}`);
if (!values['no-write']) writeSection('state-ledger', md);
