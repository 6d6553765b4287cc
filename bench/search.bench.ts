/**
 * Search-algorithm benchmarks, printed as markdown tables next to the published figures:
 *   node dist/bench/search.bench.js [--seeds 50] [--pnas-seeds 20] [--full]
 * 1. NAS-Bench-201, 100 trials, best-by-val12 -> test200 (Dong & Yang 2020, ICLR, Sec. 5).
 * 2. PNAS surrogate rank correlation (random split; in search: beams and held-out cells).
 * 3. MnasNet reward under a FLOPs target: RL controller vs random.
 * 4. PONAS exact selection: agreement with brute force, time for 19 layers x 12 candidates.
 * 5. PNAS progression to B = 5 on the pnas space with a cheap synthetic evaluator.
 */
import { benchSearch, mean, std, type BenchSummary } from '../src/bench/search-bench.js';
import { costBench } from '../src/bench/cost-bench.js';
import { randomSplitCorrelation } from '../src/bench/surrogate-check.js';
import { loadNb201, type Nb201Benchmark } from '../src/bench/nb201-table.js';
import { NB201_ALGORITHM_ARGS } from '../src/bench/nb201-defaults.js';
import { bruteForce, paretoFront, selectUnderBudget } from '../src/algorithms/ponas/select.js';
import { PnasSearch } from '../src/algorithms/pnas/pnas-search.js';
import { pnasProgressiveSpace } from '../src/algorithms/pnas/pnas-progression.js';
import { trialIdsFor } from '../src/algorithms/types.js';
import { at } from '../src/common/indexing.js';
import { Rng, fnv1a32 } from '../src/common/rng.js';

const argv = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const SEEDS = flag('--seeds', 50);
const PNAS_SEEDS = flag('--pnas-seeds', 20);
const FULL = argv.includes('--full');
const now = () => performance.now();

/** NAS-Bench-201 paper (Dong & Yang 2020, ICLR), test accuracy of searched architectures. */
const PUBLISHED: Record<string, Record<string, string>> = {
  'nb201-cifar10': { random: '93.70 +- 0.36', 'nasnet-rl': '93.85 +- 0.37 (REINFORCE)' },
};

function row(s: BenchSummary, published = ''): string {
  const t = s.thresholds.map((x) => `${(100 * x.reachedFraction).toFixed(0)}% / ${x.medianTrials ?? '-'}`).join(' | ');
  return `| ${s.benchmark} | ${s.algorithm} | ${s.seeds} | ${s.meanTestAccuracy.toFixed(2)} +- ${s.stdTestAccuracy.toFixed(2)} | ${s.meanValAccuracy.toFixed(2)} | ${published} | ${t} | ${s.msPerTrial.toFixed(2)} | ${s.replayCheck} |`;
}

function nb201Section(): BenchSummary[] {
  console.log('\n## 1. NAS-Bench-201, 100 trials: test200 of the best-by-val12 architecture (mean +- sd over seeds)\n');
  console.log(
    '| benchmark | algorithm | seeds | test200 (ours) | val12 best | published (NB201 paper) | thresholds: % seeds reached / median trials | ms/trial | replay |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const out: BenchSummary[] = [];
  const plan: [Nb201Benchmark, string, number][] = [];
  for (const b of ['nb201-cifar10', 'nb201-cifar100', 'nb201-imagenet16-120'] as Nb201Benchmark[]) {
    for (const a of ['random', 'regularized-evolution', 'nasnet-rl', 'ponas']) plan.push([b, a, SEEDS]);
    if (b === 'nb201-cifar10') plan.push([b, 'pnas', PNAS_SEEDS]);
  }
  if (FULL) for (const a of ['random', 'regularized-evolution']) plan.push(['nb201-cifar10', a, 500]);
  for (const [benchmark, algorithm, seeds] of plan) {
    const s = benchSearch({ benchmark, algorithm, trials: 100, seeds }, now);
    out.push(s);
    console.log(row(s, PUBLISHED[benchmark]?.[algorithm] ?? ''));
  }
  console.log('\nThresholds: CIFAR-10 93.5 / 93.8 / 94.0; CIFAR-100 71 / 72 / 73; ImageNet16-120 44 / 45 / 46 (test200 of the best-by-val12 so far).');
  return out;
}

function surrogateSection(summaries: BenchSummary[]): void {
  console.log('\n## 2. PNAS surrogate rank correlation on NAS-Bench-201 CIFAR-10 (Spearman, val12)\n');
  const table = loadNb201('nb201-cifar10');
  console.log('| surrogate | protocol | rho (mean +- sd) |');
  console.log('|---|---|---|');
  const mlp = NB201_ALGORITHM_ARGS.pnas?.surrogate ?? {};
  for (const [name, args] of [
    ['mlp-ensemble', mlp],
    ['lstm', { kind: 'lstm' as const, hidden: 16, epochs: 50, lr: 0.01, batch: 16 }],
  ] as const) {
    const rhos = [0, 1, 2, 3, 4].map((seed) => randomSplitCorrelation(table, args, seed));
    console.log(`| ${name} | fit on 100 random cells, 500 held-out random cells, 5 splits | ${mean(rhos).toFixed(3)} +- ${std(rhos).toFixed(3)} |`);
  }
  const p = summaries.find((s) => s.algorithm === 'pnas' && s.benchmark === 'nb201-cifar10');
  if (p?.surrogate) {
    console.log(`| mlp-ensemble | in search: each beam, predicted before evaluation (${p.seeds} seeds) | ${p.surrogate.beamSpearman.toFixed(3)} |`);
    console.log(`| mlp-ensemble | in search: final model on 500 never-proposed cells (${p.seeds} seeds) | ${p.surrogate.heldOutSpearman.toFixed(3)} |`);
  }
}

function costSection(): void {
  console.log('\n## 3. MnasNet reward ACC x (FLOPs/T)^w on NAS-Bench-201 CIFAR-10, T = 40 MFLOPs, 100 trials, 20 seeds\n');
  console.log('| constraint | algorithm | proposals within target | best feasible test200 (by val12) | table best feasible (by val12 / by test) |');
  console.log('|---|---|---|---|---|');
  const nasnetRl = NB201_ALGORITHM_ARGS['nasnet-rl'] ?? {};
  for (const [name, alpha, beta] of [
    ['soft (w = -0.07)', -0.07, -0.07],
    ['hard (alpha 0, beta -1)', 0, -1],
  ] as const) {
    const { optimum, rows } = costBench({
      benchmark: 'nb201-cifar10',
      cost: 'flops',
      target: 40,
      alpha,
      beta,
      checkpoints: [100],
      seeds: 20,
      controller: nasnetRl,
    });
    for (const r of rows) {
      const c = at(r.checkpoints, 0, 'checkpoint');
      console.log(
        `| ${name} | ${r.algorithm} | ${(100 * c.withinTargetShare).toFixed(1)}% | ${c.bestFeasibleTest.toFixed(2)} | ${optimum.testOfBestByVal12.toFixed(2)} / ${optimum.bestTest.toFixed(2)} |`,
      );
    }
  }
  console.log('\nLatency targets on measured devices: `node dist/bench/latency.bench.js` (section latency-nb201).');
}

function ponasSection(): void {
  console.log('\n## 4. PONAS exact budgeted selection\n');
  const rng = Rng.seeded('ponas-bench');
  const inst = (l: number, c: number) => ({
    acc: Array.from({ length: l }, () => Array.from({ length: c }, () => 60 + rng.next() * 20)),
    cost: Array.from({ length: l }, () => Array.from({ length: c }, () => 1 + rng.next() * 9)),
  });
  let agree = 0;
  for (let i = 0; i < 100; i++) {
    const { acc, cost } = inst(5, 4);
    const budget = 10 + rng.next() * 30;
    const a = selectUnderBudget(acc, cost, budget);
    const b = bruteForce(acc, cost, budget);
    if ((a === undefined && b === undefined) || (a && b && Math.abs(a.value - b.value) < 1e-9)) agree++;
  }
  const { acc, cost } = inst(19, 12);
  const budget = cost.reduce((s, r) => s + r.reduce((x, y) => x + y, 0) / r.length, 0);
  const times: number[] = [];
  let front = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = now();
    front = paretoFront(acc, cost).length;
    selectUnderBudget(acc, cost, budget);
    times.push(now() - t0);
  }
  times.sort((x, y) => x - y);
  console.log('| check | result |');
  console.log('|---|---|');
  console.log(`| agreement with brute force, 100 random 5x4 instances (real-valued costs) | ${agree}/100 |`);
  console.log(`| 19 layers x 12 candidates: Pareto front + budgeted pick, median of 21 | ${at(times, 10, 'timing').toFixed(1)} ms (paper: ~10 s) |`);
  console.log(`| Pareto front size (19 x 12) | ${front} points |`);
}

function progressionSection(): void {
  console.log('\n## 5. PNAS progression on the pnas space to B = 5 (synthetic evaluator: +1 per separable conv, +0.5 per block, hash noise)\n');
  const space = pnasProgressiveSpace();
  const evaluate = (g: { blocks: readonly { ops: readonly string[] }[] }, hash: string) =>
    60 + g.blocks.reduce((a, b) => a + 0.5 + b.ops.filter((o) => o.startsWith('sep')).length, 0) + (fnv1a32(hash) % 1000) / 1000;
  for (const kind of ['mlp-ensemble', 'lstm'] as const) {
    const algo = PnasSearch.create(space, 1, { beam: 8, surrogate: { kind, hidden: 16, members: 3, epochs: 10 } });
    const t0 = now();
    let trials = 0;
    let maxBlocks = 0;
    for (let round = 0; round < 500; round++) {
      const batch = algo.propose(trialIdsFor('prog', round, 8));
      if (batch.length === 0 || (maxBlocks === 5 && algo.correlations().some((c) => c.blocks === 5))) break;
      trials += batch.length;
      for (const p of batch) maxBlocks = Math.max(maxBlocks, p.genotype.blocks.length);
      algo.observe(batch.map((p) => ({ trialId: p.trialId, status: 'succeeded' as const, accuracy: evaluate(p.genotype, p.hash) })));
    }
    const rhos = algo
      .correlations()
      .map((c) => `B${c.blocks}: ${c.spearman.toFixed(2)}`)
      .join(', ');
    console.log(
      `- ${kind}: ${trials} trials (136 one-block cells + 4 beams of 8), reached B = ${maxBlocks}, beam rho ${rhos}, ${((now() - t0) / 1000).toFixed(1)} s`,
    );
  }
}

console.log('# nasflow search benchmarks');
const summaries = nb201Section();
surrogateSection(summaries);
costSection();
ponasSection();
progressionSection();
