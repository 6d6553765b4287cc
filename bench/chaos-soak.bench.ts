/**
 * Chaos soak (issue 12): a paced NAS-Bench-201 search whose trials are real processes, driven by
 * a `nasflow search run --address …` client, with `nasflow worker` processes killed at seeded
 * random moments (SIGKILL and SIGTERM mixed), Temporal dev-server restarts on the same port and
 * database, and a client restart; then every run's history is replayed against the current
 * workflow code and the trials are audited: 0 lost, 0 duplicated. Harness: test/helpers/chaos-soak.ts.
 *
 * Run: `node dist/bench/chaos-soak.bench.js [--seeds 1,2,3] [--trials 300] [--kills 30]
 *   [--server-restarts 2] [--client-restarts 1] [--pace 100] [--no-write]` (after `npm run build`).
 * Exits 1 when any seed fails its checks; writes the `chaos-soak` section of BENCHMARKS.md.
 */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { formatSummary, runChaosSoak, type ChaosSoakSummary } from '../test/helpers/chaos-soak.js';
import { machineLine, table, writeSection } from './report.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    trials: { type: 'string', default: '300' },
    kills: { type: 'string', default: '30' },
    'server-restarts': { type: 'string', default: '2' },
    'client-restarts': { type: 'string', default: '1' },
    pace: { type: 'string', default: '100' },
    parallelism: { type: 'string', default: '10' },
    'no-write': { type: 'boolean', default: false },
  },
});

// The soak handles SIGINT/SIGTERM itself (it stops the servers and workers it started).
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

const seeds = values.seeds.split(',').map(Number);
const trials = Number(values.trials);
const kills = Number(values.kills);
const serverRestarts = Number(values['server-restarts']);
const clientRestarts = Number(values['client-restarts']);
const pace = Number(values.pace);
const parallelism = Number(values.parallelism);

const summaries: ChaosSoakSummary[] = [];
for (const seed of seeds) {
  const s = await runChaosSoak({
    seed,
    trials,
    kills,
    serverRestarts,
    clientRestarts,
    parallelism,
    secondsPerSimulatedHour: pace,
    log: (m) => console.error(`[soak] ${m}`),
  });
  summaries.push(s);
  console.log(formatSummary(s));
}

/** What went wrong, per seed, under the table. */
function notes(all: readonly ChaosSoakSummary[]): string[] {
  const lines = all.flatMap((s) =>
    formatSummary(s)
      .split('\n')
      .slice(1)
      .filter((l) => !/^ {2}(clients|logs)/.test(l))
      .map((l) => `- seed ${s.seed}:${l.slice(1)}`),
  );
  return lines.length ? ['', ...lines] : [];
}

const command = `node dist/bench/chaos-soak.bench.js --seeds ${seeds.join(',')} --trials ${trials} --kills ${kills} --server-restarts ${serverRestarts} --client-restarts ${clientRestarts} --pace ${pace}`;
const rows = summaries.map((s) => [
  s.seed,
  s.outcome,
  `${s.succeeded}/${s.trials}`,
  `${s.kills.SIGKILL} / ${s.kills.SIGTERM}`,
  s.serverRestarts,
  s.clientRestarts,
  s.duplicates,
  s.missing,
  s.unaccountedAttempts,
  s.infraRetries,
  s.launches,
  s.interruptedLaunches,
  s.workflowRuns,
  s.nondeterminism,
  `${s.replayFailures.length}/${s.replayedRuns}`,
  s.wallSeconds,
]);
if (!values['no-write']) {
  writeSection(
    'chaos-soak',
    [
      '## Chaos soak (`bench/chaos-soak.bench.ts`)',
      '',
      `Measured ${machineLine()} with \`${command}\`.`,
      '',
      `A paced NAS-Bench-201 evolution search (\`examples/nb201-evolution.yaml\`, ${trials} trials, parallelism ${parallelism},`,
      `\`secondsPerSimulatedHour: ${pace}\`, \`runAs: process\`) run by \`nasflow search run --address …\` against a Temporal dev server,`,
      'with `nasflow worker` processes killed at seeded moments (a new one started after each death), dev-server restarts on the same',
      'port and database (one graceful, one SIGKILL), and the client killed and a new one attached. Afterwards every run of the',
      "workflow is replayed against the current workflow code, and trials are audited from the launcher's `launches.log` and the store:",
      'duplicates = (trial, attempt) launched twice + trials counted beyond their results; missing = trials without a result;',
      "unaccounted attempts = attempts beyond each trial's first that the search did not count as infrastructure retries;",
      'launches interrupted = attempts claimed whose process never started because the worker died in between (retried, each an infra retry).',
      '',
      table(
        [
          'seed',
          'outcome',
          'trials',
          'kills SIGKILL / SIGTERM',
          'server restarts',
          'client restarts',
          'duplicates',
          'missing',
          'unaccounted attempts',
          'infra retries',
          'trial processes',
          'launches interrupted',
          'workflow runs',
          'nondeterminism',
          'replay failures',
          'wall s',
        ],
        rows,
      ),
      ...notes(summaries),
    ].join('\n'),
  );
}
process.exitCode = summaries.every((s) => s.ok) ? 0 : 1;
