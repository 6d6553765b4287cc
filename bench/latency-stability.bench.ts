/**
 * How stable is the trainer's latency figure (src/trainer/latency.ts)? For sampled MnasNet-space
 * networks (CIFAR input, 10 classes) on the backend a trial would load, repeats the measurement
 * and reports, per number of timed runs N, the run-to-run spread within one measurement and the
 * spread of the median between repeated measurements: the figure a search sees is stable when the
 * latter is small against the differences between architectures.
 *   node dist/bench/latency-stability.bench.js [--nets 3] [--repeats 5]
 * Writes the `latency-measurement` section of BENCHMARKS.md.
 */
import { loadBackend } from '../src/trainer/backend.js';
import { measureLatency } from '../src/trainer/latency.js';
import { buildDef, networkDef } from '../src/models/build.js';
import { getSpace } from '../src/space/index.js';
import { at } from '../src/common/indexing.js';
import { Rng } from '../src/common/rng.js';
import { machineLine, table, writeSection } from './report.js';

const argv = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const NETS = flag('--nets', 3);
const REPEATS = flag('--repeats', 5);
const RUNS = [10, 30, 100];

const backend = await loadBackend(undefined, (m) => console.error(m));
const space = getSpace('mnasnet');
const rng = Rng.seeded('latency-stability');
const rows: (string | number)[][] = [];
for (let n = 0; n < NETS; n++) {
  const genotype = space.sample(rng);
  const model = buildDef(backend.tf, networkDef('mnasnet', space.serialize(genotype), { inputSize: 32, classes: 10 }));
  for (const runs of RUNS) {
    const medians: number[] = [];
    const spreads: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const m = measureLatency(backend.tf, model, { batches: [1], imageSize: 32, runs, now: () => performance.now() });
      const { medianMs, relativeStd } = at(m.batches, 0, 'latency batch');
      medians.push(medianMs);
      spreads.push(relativeStd);
    }
    const mid = at(
      [...medians].sort((a, b) => a - b),
      Math.floor(medians.length / 2),
      'median repeat',
    );
    const between = (Math.max(...medians) - Math.min(...medians)) / mid;
    const row = [`net ${n + 1}`, runs, mid.toFixed(2), `${(100 * Math.max(...spreads)).toFixed(1)} %`, `${(100 * between).toFixed(1)} %`];
    rows.push(row);
    console.log(row.join(' | '));
  }
  model.dispose();
}
writeSection(
  'latency-measurement',
  `## Stability of the trainer's latency measurement (\`bench/latency-stability.bench.ts\`)

Measured ${machineLine()} (a loaded, shared machine: the worst case), backend ${backend.backend} (${backend.pkg}).
${NETS} sampled MnasNet-space networks at 32×32, batch 1, 5 warm-up runs, each measurement repeated ${REPEATS} times.

${table(['network', 'timed runs N', 'median of medians (ms)', 'largest run-to-run sd / mean', '(max − min) / median of the repeated medians'], rows)}`,
);
