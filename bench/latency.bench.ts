/**
 * MnasNet reward with measured device latency on NAS-Bench-201 (issue 17): per device and target,
 * the best feasible test200 found at 100 and 300 trials by random search, regularized evolution with
 * the same reward and the MnasNet RL controller, against the table's best feasible cell.
 *   node dist/bench/latency.bench.js [--seeds 5] [--constraint hard|soft] [--devices pixel3:10,raspi4:25]
 * Writes the `latency-nb201` section of BENCHMARKS.md.
 */
import { at } from '../src/common/indexing.js';
import { costBench, type CostBenchReport } from '../src/bench/cost-bench.js';
import { NB201_ALGORITHM_ARGS } from '../src/bench/nb201-defaults.js';
import { machineLine, table, writeSection } from './report.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const value = argv[i + 1];
  if (value === undefined) throw new Error(`${name}: expected a value after it`);
  return value;
};
const SEEDS = Number(opt('--seeds', '5'));
const CONSTRAINT = opt('--constraint', 'hard');
/** Targets near the device's median latency (about 30-46 % of cells feasible). */
const DEVICES = opt('--devices', 'pixel3:10,raspi4:25,fpga:3')
  .split(',')
  .map((d) => d.split(':') as [string, string]);
const [alpha, beta] = CONSTRAINT === 'soft' ? [-0.07, -0.07] : [0, -1];
const CHECKPOINTS = [100, 300];

const rows: (string | number)[][] = [];
const started = performance.now();
for (const [device, target] of DEVICES) {
  const r: CostBenchReport = costBench({
    benchmark: 'nb201-cifar10',
    cost: 'latency',
    device,
    target: Number(target),
    alpha,
    beta,
    checkpoints: CHECKPOINTS,
    seeds: SEEDS,
    controller: NB201_ALGORITHM_ARGS['nasnet-rl'] ?? {},
  });
  const o = r.optimum;
  for (const a of r.rows) {
    const [c100, c300] = [at(a.checkpoints, 0, 'checkpoint'), at(a.checkpoints, 1, 'checkpoint')];
    const fmt = (c: typeof c100) =>
      `${c.bestFeasibleTest.toFixed(2)} ± ${c.bestFeasibleTestStd.toFixed(2)}${c.seedsWithoutFeasible ? ` (${c.seedsWithoutFeasible} none)` : ''}`;
    const row = [
      `${device} ≤ ${target} ms (${(100 * o.feasibleShare).toFixed(0)} % fit)`,
      a.algorithm,
      fmt(c100),
      fmt(c300),
      `${o.testOfBestByVal12.toFixed(2)} / ${o.bestTest.toFixed(2)}`,
      `${(100 * c300.within03).toFixed(0)} %`,
      `${(100 * c100.withinTargetShare).toFixed(1)} % / ${(100 * c300.withinTargetShare).toFixed(1)} %`,
    ];
    rows.push(row);
    console.log(row.join(' | '));
  }
}
const minutes = (performance.now() - started) / 60000;
writeSection(
  'latency-nb201',
  `## MnasNet reward with device latency on NAS-Bench-201 CIFAR-10 (\`bench/latency.bench.ts\`)

Measured ${machineLine()}, ${SEEDS} seeds (0–${SEEDS - 1}), ${CONSTRAINT} constraint (reward ACC × (LAT/T)^w, ${CONSTRAINT === 'hard' ? 'w = 0 within T, −1 over' : 'w = −0.07'}),
${minutes.toFixed(0)} min on a loaded machine. Latency per cell from \`data/benchmarks/nb201-hwlatency.json\` (HELP,
Lee et al. 2021; which input dataset the latencies were measured for is unconfirmed). The search sees val12; "best feasible" is
the test200 of the best-by-val12 cell within the target found so far (mean ± sd over seeds); the table's best feasible is
the test200 of the feasible cell with the best val12, and the best feasible test200. Evolution (P=20, S=5) ranks by the same
reward; random search ignores it; the controller is the NB201 one (REINFORCE, 32 units, lr 0.02, batch 5).
Same command: \`nasflow bench search --benchmark nb201-cifar10 --algorithm mnasnet-rl --cost latency --device pixel3 --target 10 --constraint ${CONSTRAINT} --trials 100,300 --seeds ${SEEDS}\`.

${table(['device and target', 'algorithm', 'best feasible test200 @100', '@300', 'table best feasible (by val12 / by test)', 'seeds within 0.3 of table by val12 @300', 'proposals within target @100 / @300'], rows)}`,
);
