/**
 * `nasflow bench search`: compare search algorithms on a NAS-Bench-201 table in seconds.
 * Prints, per algorithm, the mean and deviation over seeds of the test200 accuracy of the
 * architecture that is best by val12, trials to reach accuracy thresholds, wall time and the
 * result of a pure ask/tell replay check. With --json: one JSON object per algorithm per line.
 */
import type { Command } from 'commander';
import { NB201_BENCHMARKS, nb201LatencyDevices, type Nb201Benchmark } from '../bench/nb201-table.js';
import { benchSearch, type BenchSummary } from '../bench/search-bench.js';
import { costBench, type CostBenchReport, type CostMetric } from '../bench/cost-bench.js';
import { NB201_ALGORITHM_ARGS } from '../bench/nb201-defaults.js';

/** Algorithms that run on NB201 with accuracy as the reward (mnasnet-rl needs a cost target). */
const NB201_ALGORITHMS = ['random', 'regularized-evolution', 'nasnet-rl', 'pnas', 'ponas'];

interface Options {
  benchmark: string;
  algorithm: string;
  trials: string;
  seeds: string;
  seedStart: string;
  workers: string;
  target?: string;
  cost: string;
  device?: string;
  constraint: string;
  json?: boolean;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer; received ${JSON.stringify(value)}`);
  return n;
}

function formatLine(s: BenchSummary): string {
  const thr = s.thresholds.map((t) => `>=${t.threshold}: ${(100 * t.reachedFraction).toFixed(0)}% of seeds, median ${t.medianTrials ?? '-'} trials`).join('; ');
  const sur = s.surrogate ? `  surrogate rho: beams ${s.surrogate.beamSpearman.toFixed(3)}, held-out ${s.surrogate.heldOutSpearman.toFixed(3)}` : '';
  return (
    `${s.algorithm.padEnd(22)} test ${s.meanTestAccuracy.toFixed(2)} +- ${s.stdTestAccuracy.toFixed(2)}  (val12 ${s.meanValAccuracy.toFixed(2)})` +
    `  ${s.wallSeconds.toFixed(1)} s  replay ${s.replayCheck}\n    ${thr}${sur}`
  );
}

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('Benchmark search algorithms on tabular NAS benchmarks');
  bench
    .command('search')
    .description('Run search algorithms on a NAS-Bench-201 table and report best-by-validation test accuracy')
    .requiredOption('--benchmark <name>', `one of ${NB201_BENCHMARKS.join(', ')}`)
    .option('--algorithm <name>', `one of ${NB201_ALGORITHMS.join(', ')}, or all`, 'all')
    .option('--trials <n>', 'finished trials per search (mnasnet-rl: a comma list of checkpoints, e.g. 100,300)', '100')
    .option('--seeds <k>', 'independent searches (seeds)', '50')
    .option('--seed-start <n>', 'first seed', '0')
    .option('--workers <n>', 'simulated concurrent workers (results arrive out of order when > 1)', '1')
    .option('--cost <metric>', 'with --algorithm mnasnet-rl: flops (MFLOPs), params (M) or latency (ms on --device)', 'flops')
    .option('--device <name>', 'with --cost latency: a device of data/benchmarks/nb201-hwlatency.json (e.g. pixel3, raspi4, fpga, eyeriss)')
    .option('--target <t>', 'with --algorithm mnasnet-rl: target T of the MnasNet reward, in the unit of --cost')
    .option('--constraint <kind>', 'with --algorithm mnasnet-rl: soft (w = -0.07) or hard (alpha 0, beta -1)', 'soft')
    .option('--json', 'one JSON object per algorithm per line')
    .action((opts: Options) => {
      if (opts.algorithm === 'mnasnet-rl') return runCostBench(opts);
      if (!(NB201_BENCHMARKS as readonly string[]).includes(opts.benchmark)) {
        throw new Error(`--benchmark: expected one of ${NB201_BENCHMARKS.join(', ')}; received ${JSON.stringify(opts.benchmark)}`);
      }
      const algorithms = opts.algorithm === 'all' ? NB201_ALGORITHMS : [opts.algorithm];
      for (const a of algorithms) {
        if (!NB201_ALGORITHMS.includes(a)) throw new Error(`--algorithm: expected one of ${NB201_ALGORITHMS.join(', ')} or all; received ${JSON.stringify(a)}`);
      }
      const trials = positiveInt(opts.trials, '--trials');
      const seeds = positiveInt(opts.seeds, '--seeds');
      const workers = positiveInt(opts.workers, '--workers');
      const seedStart = Number(opts.seedStart);
      if (!opts.json) console.log(`${opts.benchmark}: ${trials} trials x ${seeds} seeds (search sees val12; reported: test200 of best-by-val12)`);
      for (const algorithm of algorithms) {
        const s = benchSearch({ benchmark: opts.benchmark as Nb201Benchmark, algorithm, trials, seeds, seedStart, workers }, () => performance.now());
        console.log(opts.json ? JSON.stringify(s) : formatLine(s));
      }
    });
}

const COST_METRICS: readonly CostMetric[] = ['flops', 'params', 'latency'];
const UNIT: Record<CostMetric, string> = { flops: 'MFLOPs', params: 'M params', latency: 'ms' };

/** mnasnet-rl against random and evolution under a cost target (Tan et al. 2019 reward). */
function runCostBench(opts: Options): void {
  if (!COST_METRICS.includes(opts.cost as CostMetric))
    throw new Error(`--cost: expected one of ${COST_METRICS.join(', ')}; received ${JSON.stringify(opts.cost)}`);
  const cost = opts.cost as CostMetric;
  if (cost === 'latency' && !opts.device) throw new Error('--device: --cost latency needs a device of nb201-hwlatency.json, e.g. --device pixel3');
  if (cost === 'latency' && !nb201LatencyDevices().includes(opts.device as string)) {
    throw new Error(`--device: expected one of ${nb201LatencyDevices().join(', ')}; received ${JSON.stringify(opts.device)}`);
  }
  if (cost !== 'latency' && opts.device) throw new Error(`--device: only meaningful with --cost latency; received --cost ${cost}`);
  const target = Number(opts.target);
  if (!(target > 0)) throw new Error(`--target: expected a positive target in ${UNIT[cost]} for mnasnet-rl; received ${JSON.stringify(opts.target)}`);
  if (opts.constraint !== 'soft' && opts.constraint !== 'hard')
    throw new Error(`--constraint: expected soft or hard; received ${JSON.stringify(opts.constraint)}`);
  if (!(NB201_BENCHMARKS as readonly string[]).includes(opts.benchmark)) {
    throw new Error(`--benchmark: expected one of ${NB201_BENCHMARKS.join(', ')}; received ${JSON.stringify(opts.benchmark)}`);
  }
  const checkpoints = opts.trials.split(',').map((t) => positiveInt(t.trim(), '--trials'));
  const [alpha, beta] = opts.constraint === 'soft' ? [-0.07, -0.07] : [0, -1];
  const report = costBench({
    benchmark: opts.benchmark as Nb201Benchmark,
    cost,
    device: opts.device,
    target,
    alpha,
    beta,
    checkpoints,
    seeds: positiveInt(opts.seeds, '--seeds'),
    seedStart: Number(opts.seedStart),
    controller: NB201_ALGORITHM_ARGS['nasnet-rl'] ?? {},
  });
  const context = { benchmark: opts.benchmark, cost, device: opts.device, target, constraint: opts.constraint };
  if (opts.json) {
    for (const r of report.rows) console.log(JSON.stringify({ ...context, optimum: report.optimum, ...r }));
    return;
  }
  printCostReport(report, `${opts.benchmark}, ${cost}${opts.device ? ` on ${opts.device}` : ''} <= ${target} ${UNIT[cost]}, ${opts.constraint} constraint`);
}

function printCostReport(report: CostBenchReport, title: string): void {
  const o = report.optimum;
  console.log(
    `${title}: ${(100 * o.feasibleShare).toFixed(1)}% of cells feasible; table's best feasible test200: ${o.testOfBestByVal12.toFixed(2)} by val12, ${o.bestTest.toFixed(2)} by test`,
  );
  for (const r of report.rows) {
    for (const c of r.checkpoints) {
      const none = c.seedsWithoutFeasible ? ` (${c.seedsWithoutFeasible} seeds found none)` : '';
      console.log(
        `${r.algorithm.padEnd(22)} ${String(c.trials).padStart(4)} trials: best feasible test ${c.bestFeasibleTest.toFixed(2)} +- ${c.bestFeasibleTestStd.toFixed(2)}${none}, ` +
          `within 0.3 of the table in ${(100 * c.within03).toFixed(0)}% of seeds, ${(100 * c.withinTargetShare).toFixed(1)}% of proposals within target`,
      );
    }
  }
}
