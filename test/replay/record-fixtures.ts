/**
 * Records workflow histories for the replay tests: runs small searches (one per algorithm, one with
 * updates and continue-as-new) on a real dev server and writes each run's history to
 * test/replay/fixtures/*.json. Run after a deliberate, versioned workflow change:
 *   npm run build && node dist/test/replay/record-fixtures.js [name ...]
 * Names limit the recording to those fixtures (e.g. `ponas-one-shot`).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI_ENTRY } from '../../src/worker/search-deps.js';
import { ensureTools } from '../../src/dev/tools.js';
import { startSearch } from '../../src/client/search-client.js';
import { localSearchId } from '../../src/common/ids.js';
import { pauseUpdate, resumeUpdate, setParallelismUpdate } from '../../workflows/search-handlers.js';
import { makeSearch } from '../helpers/search-builder.js';
import { startSearchHarness } from '../workflows/search-harness.js';

const FIXTURES = fileURLToPath(new URL('../../../test/replay/fixtures/', import.meta.url));

const temporal = (await ensureTools({ env: process.env, only: ['temporal'] })).temporal.path;
const h = await startSearchHarness('replay-record');
try {
  await h.startWorker();
  const cases: [string, ReturnType<typeof makeSearch>][] = [
    ['random', makeSearch('replay-random', h.storage).trials(12, 3)],
    [
      'evolution-continue-as-new',
      makeSearch('replay-evolution', h.storage)
        .algorithm({ evolution: { population: 6, sample: 2 } })
        .trials(40, 4),
    ],
    [
      'nasnet-rl',
      makeSearch('replay-rl', h.storage)
        .algorithm({ nasnetRL: { batchSize: 4, hidden: 8 } })
        .trials(12, 4),
    ],
    [
      'pnas',
      makeSearch('replay-pnas', h.storage)
        .algorithm({ pnas: { beam: 3 } })
        .trials(12, 3),
    ],
    ['controls', makeSearch('replay-controls', h.storage).trials(8, 1).pace(2)],
    ['deadline', makeSearch('replay-deadline', h.storage).trials(200, 2).pace(3).budget({ maxDurationSeconds: 2 })],
    ['ponas-one-shot', ponasOneShot(h.storage, join(h.workDir, '..', 'data'))],
  ];
  const only = process.argv.slice(2);
  for (const [name, builder] of cases) {
    if (only.length > 0 && !only.includes(name)) continue;
    const spec = builder.obj();
    const handle = await startSearch(h.client, spec, {
      searchId: localSearchId(spec.name, 'r1'),
      taskQueue: h.taskQueue,
      historyLimit: name.includes('continue') ? 120 : undefined,
    });
    if (name === 'controls') {
      await new Promise((r) => setTimeout(r, 300));
      await handle.executeUpdate(pauseUpdate);
      await handle.executeUpdate(setParallelismUpdate, { args: [3] });
      await handle.executeUpdate(resumeUpdate);
    }
    await handle.result();
    // Record the first run (for continue-as-new, the run that carried state onward).
    // The Temporal CLI writes the standard JSON history format that historyFromJSON reads.
    const json = execFileSync(
      temporal,
      ['workflow', 'show', '--address', h.temporal.address, '-w', handle.workflowId, '-r', handle.firstExecutionRunId, '-o', 'json'],
      { maxBuffer: 64 * 2 ** 20 },
    );
    writeFileSync(`${FIXTURES}${name}.json`, json);
    console.log(`recorded ${name}`);
  }
} finally {
  await h.stop();
}

/** PONAS's one-shot stages with real trainer processes on a tiny supernet (2 layers, 3 candidates). */
function ponasOneShot(storage: string, data: string): ReturnType<typeof makeSearch> {
  execFileSync(process.execPath, [CLI_ENTRY, 'dataset', 'synth', '--out', data, '--classes', '4', '--train', '160', '--test', '0', '--seed', '2']);
  return makeSearch('replay-ponas', storage)
    .algorithm({ ponas: { supernet: { layers: 2, candidates: [0, 5, 11], fineTuneSteps: 4, metaTrial: { epochs: 1 } } } })
    .set('space', 'ponas')
    .set('macro', { classes: 4, headFilters: 32 })
    .set('evaluator', { type: 'train' })
    .set('dataset', data)
    .set('trial', { epochs: 1, batchSize: 16, imageSize: 8, valFraction: 0.25 })
    .trials(2, 2);
}
