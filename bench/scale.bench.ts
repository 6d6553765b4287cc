/**
 * NASNet scale, measured (issue 13): a NeuralArchitectureSearch of `--trials` trials at
 * `--parallelism` on `--nodes` kwok GPU nodes through the real control path (etcd, kube-apiserver,
 * controller manager, scheduler, kwok, Temporal dev server, versitygw, `nasflow operator`,
 * `nasflow worker --launcher kubernetes`), trainers simulated from the NAS-Bench-201 table, with
 * faults on the way (test/helpers/scale-run.ts). Prints the figures; with --write, replaces the
 * `<!-- bench:scale -->` section of BENCHMARKS.md (or `--section NAME`).
 *
 * Run (after `npm run build`):
 *   node dist/bench/scale.bench.js --trials 20000 --nodes 500 --parallelism 450 --min-seconds 40 --max-seconds 80 --write
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runScale, type ScaleResult } from '../test/helpers/scale-run.js';
import { machineLine, table, writeSection } from './report.js';

/** What the bench found on its way to NASNet scale, in the order it hit them (issue 13). */
const FINDINGS = `What the bench hit, in order, and what changed:

1. **Evicted trial pods were never replaced** (2 of 200 trials stuck): kwok's delete stage sets no
   terminal phase, and a Job with \`podReplacementPolicy: Failed\` waits for one. The simulator now
   reports a deleted pod Failed (exit 75), as a kubelet does. Bench only.
2. **One Job GET per awaited trial per second** (450 trials: 450 GET/s, the largest request stream).
   The worker now answers polls from a watch of trial Jobs (\`src/kube/job-cache.ts\`): a GET on a
   Job's first poll and once a minute after; the worker's Role gains list/watch on jobs.
3. **Continue-as-new storm at 450 running trials**: re-attaching the running trials costs 12 events
   each (5,400) against a fixed budget of 4,000, so every run continued as new within 1-2 s and no
   trial was ever observed (19 runs in 34 s). The default budget now grows with parallelism
   (\`defaultHistoryLimit\`: 4,000 up to parallelism 166, 24 events per slot above, at most 40,000).
4. **Dropped status writes under load** ("fetch failed" at load average 27): the simulator retries.
5. **Node leases**: 500 kwok nodes renewing a Lease every 10 s are ~50 writes/s (2.3/s measured with
   20 nodes); off in the bench, with a node grace period of hours. Controller manager and scheduler
   client QPS raised to 300 up front (not measured as a limit).
6. **Algorithm state was a ledger of every trial, rewritten at every step.** Measured offline at
   20,000 trials: NASNet space 18.5 MB per state version and 2.8 s to restore; PNAS space 10.8 MB and
   0.35 s. The bench searches the PNAS cell space for that reason. Fixed after the runs here
   (src/search/state-ledger.ts): a version is a step record on a periodic snapshot and the worker keeps
   the live algorithm between steps (figures: section \`state-ledger\`); the runs here predate it.
7. **NAS-Bench-201 has 15,625 cells**, fewer than 20,000 unique proposals: trials are PNAS cells and
   the simulator maps each cell's hash to an NB201 row (accuracy, epoch time scaled to the run's range).

Scale-out, part by part: the control path costs the CPU per trial in the table above; NASNet's pace
(450 slots, 60 s trials: 7.5 trials/s) needs the cores computed above, more than this shared 2-core
machine gives (load average 15-37 from other sessions during these runs). Each part scales out on its
own: kube-apiserver and etcd on control-plane machines (a real cluster's), several
\`nasflow worker\` replicas on the task queue (trial waits and launches spread; the search's own
steps stay one at a time per search), Temporal on Postgres or Cassandra instead of the dev server's
SQLite, the operator sharded by \`--watch-namespace\` (about 1 % of the CPU here). What did not scale
by adding machines was item 6, one search's state step in O(trials); the step ledger makes it the
size of the step, with a snapshot amortised over a gap that grows with the search.`;

const { values: a } = parseArgs({
  options: {
    trials: { type: 'string', default: '2000' },
    nodes: { type: 'string', default: '50' },
    parallelism: { type: 'string', default: '45' },
    'min-seconds': { type: 'string', default: '60' },
    'max-seconds': { type: 'string', default: '120' },
    'no-faults': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'slow-disk': { type: 'boolean', default: false },
    'job-ttl': { type: 'string', default: '300' },
    'no-replay': { type: 'boolean', default: false },
    'limit-minutes': { type: 'string', default: '120' },
    'keep-dir': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    section: { type: 'string', default: 'scale' },
    note: { type: 'string', default: '' },
    crd: { type: 'string' },
    'from-json': { type: 'string' },
  },
});

function num(flag: string, min: number): number {
  const raw = a[flag as keyof typeof a] as string;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${flag}: expected a number >= ${min}; received ${JSON.stringify(raw)}`);
  return n;
}

const opts = {
  trials: num('trials', 1),
  nodes: num('nodes', 1),
  parallelism: num('parallelism', 1),
  minSeconds: num('min-seconds', 0),
  maxSeconds: num('max-seconds', 0),
  faults: !a['no-faults'],
  seed: num('seed', 0),
  fastDisk: !a['slow-disk'],
  jobTtlSeconds: num('job-ttl', 0),
  replay: !a['no-replay'],
  limitSeconds: num('limit-minutes', 1) * 60,
  keepDir: a['keep-dir'] ?? false,
  ...(a.crd ? { crdPath: a.crd } : {}),
  log: (line: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`),
};
if (opts.maxSeconds < opts.minSeconds) throw new Error(`--max-seconds (${opts.maxSeconds}) must be at least --min-seconds (${opts.minSeconds})`);
if (opts.parallelism > opts.nodes) throw new Error(`--parallelism (${opts.parallelism}) needs at least as many GPU nodes; --nodes is ${opts.nodes}`);

// --from-json FILE renders the report of a run printed earlier (its JSON) instead of running one.
const fromJson = a['from-json'];
const r = fromJson ? (JSON.parse(readFileSync(fromJson, 'utf8')) as ScaleResult) : await runScale(opts);
if (!fromJson) console.log(JSON.stringify(r, null, 2));
const md = report(r, fromJson ? argsOf(r) : process.argv.slice(2).join(' '));
console.log(md);
if (a.write) writeSection(a.section!, md);
process.exit(r.phase === 'Succeeded' && r.trials.lost === 0 && r.trials.duplicated === 0 ? 0 : 1);

/** The command line of a saved run, rebuilt from its options. */
function argsOf(r: ScaleResult): string {
  const o = r.options;
  return `--trials ${o.trials} --nodes ${o.nodes} --parallelism ${o.parallelism} --min-seconds ${o.minSeconds} --max-seconds ${o.maxSeconds} --job-ttl ${o.jobTtlSeconds} --limit-minutes ${o.limitSeconds / 60}${o.faults ? '' : ' --no-faults'}`;
}

function report(r: ScaleResult, args: string): string {
  const o = r.options;
  const f1 = (x: number) => x.toFixed(1);
  const perTrial = (cpuSeconds: number) => (1000 * cpuSeconds) / Math.max(1, r.trials.trained);
  const cpuAll = r.processes.reduce((sum, p) => sum + p.cpuSeconds, 0);
  const faultCounts = new Map<string, number>();
  for (const f of r.faults) faultCounts.set(f.kind, (faultCounts.get(f.kind) ?? 0) + 1);
  return [
    `## Scale: ${o.trials} trials, ${o.nodes} GPU nodes, parallelism ${o.parallelism} (\`bench/scale.bench.ts\`)`,
    '',
    `Measured ${machineLine()}; load average ${f1(r.loadAverage.start)} at the start, ${f1(r.loadAverage.middle)} halfway, ${f1(r.loadAverage.end)} at the end (the machine is shared).`,
    `Reproduce: \`npm run build && node dist/bench/scale.bench.js ${args}\`.${a.note ? ` ${a.note}` : ''}`,
    '',
    table(
      ['figure', 'value'],
      [
        ['search phase', r.phase],
        [
          'wall / ideal',
          `**${(r.wallSeconds / r.idealSeconds).toFixed(3)}** (${f1(r.wallSeconds)} s / ${f1(r.idealSeconds)} s; ideal = sum of simulated training times / parallelism, mean ${f1(r.meanTrialSeconds)} s per trial)`,
        ],
        [
          'concurrent running trial pods',
          `peak ${r.concurrency.peak}, median ${r.concurrency.median} while trials remained to launch; ${o.parallelism} first reached after ${r.concurrency.reachedParallelismAtS !== undefined ? `${f1(r.concurrency.reachedParallelismAtS)} s` : 'never'}`,
        ],
        ['trials', `${r.trials.succeeded} succeeded, ${r.trials.failed} failed, ${r.trials.launched} launched, ${r.trials.trained} trained`],
        r.phase === 'Succeeded'
          ? ['lost / duplicated', `**${r.trials.lost} / ${r.trials.duplicated}**`]
          : [
              'lost / duplicated',
              `not finished at the time limit: ${r.trials.launched - r.trials.trained} launched trials still training, ${o.trials - r.trials.launched} not launched yet (not lost); trained twice: **${r.trials.duplicated}**`,
            ],
        [
          'infra retries',
          `${r.trials.podReplacements} pods replaced inside their Job (evicted or on a deleted node), ${r.trials.resultAlreadyWritten} replacements that found the result already written (ended without training), ${r.trials.workflowInfraRetries} new attempts by the workflow`,
        ],
        ['faults', `${[...faultCounts].map(([k, n]) => `${k} x${n}`).join(', ') || 'none'} (${r.faults.length} of ${r.faultsPlanned} planned)`],
        [
          'history',
          `${r.history.runs} runs (${r.history.continueAsNew} continue-as-new), events per run mean ${r.history.meanEvents}, max ${r.history.maxEvents}; workflow task failures ${r.history.taskFailures} (nondeterminism ${r.history.nondeterminism}); replay ${r.history.replayFailures === undefined ? 'not run' : `${r.history.runs - r.history.replayFailures}/${r.history.runs} runs replay`}`,
        ],
        [
          'apiserver requests',
          `${f1(r.requests.perSecond)}/s (${r.requests.total} in all); busiest: ${r.requests.top.map((t) => `${t.what} ${f1(t.perSecond)}/s`).join(', ')}`,
        ],
        ['simulator errors', String(r.simulatorErrors)],
        ['stack start-up (not in wall)', `${f1(r.stackSeconds)} s`],
      ],
    ),
    '',
    table(
      ['process', 'processes', 'CPU s', 'CPU share of wall', 'CPU ms per trial', 'peak RSS MiB'],
      r.processes
        .sort((x, y) => y.cpuSeconds - x.cpuSeconds)
        .map((p) => [
          p.role,
          p.processes,
          f1(p.cpuSeconds),
          `${((100 * p.cpuSeconds) / r.wallSeconds).toFixed(0)} %`,
          perTrial(p.cpuSeconds).toFixed(0),
          p.peakRssMiB.toFixed(0),
        ]),
    ),
    '',
    `All processes together: ${perTrial(cpuAll).toFixed(0)} CPU ms per trial. NASNet's pace (450 slots, trials of 60 s: 7.5 trials/s) would need ${((perTrial(cpuAll) / 1000) * 7.5).toFixed(1)} cores for the control path at this cost; this run's pace (${f1(r.trials.trained / r.wallSeconds)} trials/s) used ${f1(cpuAll / r.wallSeconds)}.`,
    '',
    ...r.faults.filter((f) => f.kind !== 'evict').map((f) => `- ${f.kind} at ${(100 * f.at).toFixed(0)} % (${f1(f.elapsedS)} s): ${f.detail}`),
    `- ${r.faults.filter((f) => f.kind === 'evict').length} evictions spread from 5 % to 90 %`,
    '',
    FINDINGS,
  ].join('\n');
}
