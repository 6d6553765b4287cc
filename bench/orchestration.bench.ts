/**
 * Orchestration overhead of the search workflow: trials answered at once from NAS-Bench-201 (zero
 * training time), so all wall time is nasflow + Temporal. For each parallelism: trials per second,
 * wall milliseconds per trial, and the ideal (trials x duration / parallelism = 0 here), on one
 * dev server and one in-process worker on this machine.
 * Run: `node dist/bench/orchestration.bench.js [trials]` (after `npm run build`).
 */
import { startSearch } from '../src/client/search-client.js';
import { localSearchId } from '../src/common/ids.js';
import { makeSearch } from '../test/helpers/search-builder.js';
import { startSearchHarness } from '../test/workflows/search-harness.js';
import { machineLine, table, writeSection } from './report.js';

const TRIALS = Number(process.argv[2] ?? 1000);
const PARALLELISM = [10, 100, 500];

const h = await startSearchHarness('bench-orchestration');
const rows: (string | number)[][] = [];
try {
  await h.startWorker();
  // Warm-up: bundle, caches and the benchmark table load are not overhead of a search.
  await (
    await startSearch(h.client, makeSearch('warmup', h.storage).trials(20, 10).obj(), { searchId: localSearchId('warmup', 'w'), taskQueue: h.taskQueue })
  ).result();
  for (const parallelism of PARALLELISM) {
    const spec = makeSearch(`p${parallelism}`, h.storage).trials(TRIALS, parallelism).obj();
    const t0 = performance.now();
    const handle = await startSearch(h.client, spec, { searchId: localSearchId(spec.name, 'b'), taskQueue: h.taskQueue });
    const result = await handle.result();
    const seconds = (performance.now() - t0) / 1000;
    if (result.progress.counts.succeeded !== TRIALS) throw new Error(`expected ${TRIALS} trials, got ${result.progress.counts.succeeded}`);
    rows.push([
      parallelism,
      TRIALS,
      seconds.toFixed(1),
      (TRIALS / seconds).toFixed(1),
      ((seconds * 1000) / TRIALS).toFixed(1),
      ((seconds * 1000 * parallelism) / TRIALS).toFixed(0),
      '0',
      result.progress.runs,
    ]);
    console.log(
      `parallelism ${parallelism}: ${TRIALS} trials in ${seconds.toFixed(1)} s (${(TRIALS / seconds).toFixed(1)} trials/s), ${result.progress.runs} runs`,
    );
  }
} finally {
  await h.stop();
}

writeSection(
  'orchestration',
  [
    '## Orchestration overhead (`bench/orchestration.bench.ts`)',
    '',
    `Measured ${machineLine()}; Temporal dev server (SQLite) and one worker on the same machine; zero-training trials.`,
    '',
    table(
      ['parallelism', 'trials', 'wall s', 'trials/s', 'wall ms per trial', 'ms per trial slot (wall x parallelism / trials)', 'ideal s', 'workflow runs'],
      rows,
    ),
    '',
    'The ideal wall time is trials x duration / parallelism = 0 for zero-duration trials, so all of the wall time is overhead:',
    'propose, launch, await and observe activities, workflow tasks, and the SQLite-backed dev server.',
  ].join('\n'),
);
