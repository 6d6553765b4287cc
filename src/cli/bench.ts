/**
 * `nasflow bench search`: compare search algorithms on a NAS-Bench-201 table in seconds.
 * Prints, per algorithm, the mean and deviation over seeds of the test200 accuracy of the
 * architecture that is best by val12, trials to reach accuracy thresholds, wall time and the
 * result of a pure ask/tell replay check. With --json: one JSON object per algorithm per line.
 */
import type { Command } from 'commander';
import { NB201_BENCHMARKS, type Nb201Benchmark } from '../bench/nb201-table.js';
import { benchSearch, type BenchSummary } from '../bench/search-bench.js';
import { costBench } from '../bench/cost-bench.js';
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
  constraint: string;
  json?: boolean;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer; received ${JSON.stringify(value)}`);
  return n;
}

function formatLine(s: BenchSummary): string {
  const thr = s.thresholds
    .map((t) => `>=${t.threshold}: ${(100 * t.reachedFraction).toFixed(0)}% of seeds, median ${t.medianTrials ?? '-'} trials`)
    .join('; ');
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
    .option('--trials <n>', 'finished trials per search', '100')
    .option('--seeds <k>', 'independent searches (seeds)', '50')
    .option('--seed-start <n>', 'first seed', '0')
    .option('--workers <n>', 'simulated concurrent workers (results arrive out of order when > 1)', '1')
    .option('--target <mflops>', 'with --algorithm mnasnet-rl: FLOPs target T of the MnasNet reward (CIFAR-10 FLOPs)')
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

/** mnasnet-rl against random under a FLOPs target (Tan et al. 2019 reward). */
function runCostBench(opts: Options): void {
  const target = Number(opts.target);
  if (!(target > 0)) throw new Error(`--target: expected a positive FLOPs target in MFLOPs for mnasnet-rl; received ${JSON.stringify(opts.target)}`);
  if (opts.constraint !== 'soft' && opts.constraint !== 'hard') throw new Error(`--constraint: expected soft or hard; received ${JSON.stringify(opts.constraint)}`);
  if (!(NB201_BENCHMARKS as readonly string[]).includes(opts.benchmark)) {
    throw new Error(`--benchmark: expected one of ${NB201_BENCHMARKS.join(', ')}; received ${JSON.stringify(opts.benchmark)}`);
  }
  const [alpha, beta] = opts.constraint === 'soft' ? [-0.07, -0.07] : [0, -1];
  const rows = costBench({
    benchmark: opts.benchmark as Nb201Benchmark,
    cost: 'flops',
    target,
    alpha,
    beta,
    trials: positiveInt(opts.trials, '--trials'),
    seeds: positiveInt(opts.seeds, '--seeds'),
    controller: NB201_ALGORITHM_ARGS['nasnet-rl'] ?? {},
  });
  for (const r of rows) {
    if (opts.json) console.log(JSON.stringify({ ...r, benchmark: opts.benchmark, target, constraint: opts.constraint }));
    else console.log(`${r.algorithm.padEnd(12)} within target: ${(100 * r.withinTargetFraction).toFixed(1)}% of trials; best-by-reward within target in ${(100 * r.bestWithinTarget).toFixed(0)}% of seeds, test ${r.bestTest.toFixed(2)}, ${r.bestCost.toFixed(1)} MFLOPs`);
  }
}
