/**
 * Latency lookup tables against whole-network measurement (issue 17): profiles the ponas, mnasnet
 * and nasnet spaces on this machine's tfjs backend (src/latency/profile.ts), then for the zoo models
 * of each space and N seeded sampled networks compares the table's prediction (sum of entries +
 * base) with the whole network timed by the same protocol. ProxylessNAS and FBNet report such
 * lookup-table errors; the aim is below 5 %.
 *
 *   node dist/bench/latency-predict.bench.js [--spaces ponas,mnasnet,nasnet] [--samples 50] [--image-size 32]
 *        [--warmup 2] [--runs 10] [--full-mnasnet] [--full-nasnet] [--nasnet-macro MODEL] [--clock wall|cpu]
 *
 * PONAS is profiled whole (every layer x candidate). The MnasNet space has ~4,000 distinct layer
 * parts; without --full-mnasnet only the parts of the compared networks are profiled (the same
 * entries a full table would hold for them, measured the same way). NASNet likewise (--full-nasnet
 * profiles every piece of the macro): it is profiled for one macro, the space's default (the CIFAR
 * search child, N 2, F 16) or a NASNet zoo model's (--nasnet-macro nasnet-a-mobile); its zoo entry
 * is the NASNet-A cells at that macro. Writes the
 * `latency-predict` section of BENCHMARKS.md.
 */
import { cpus, getPriority, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Rng } from '../src/common/rng.js';
import { loadBackend } from '../src/trainer/backend.js';
import { profileLatency } from '../src/latency/profile.js';
import { genotypeNetwork, measureNetworkMs, predictMs, zooModelsOf, zooNetwork, type PricedNetwork } from '../src/latency/predict.js';
import { latencyMacroOf } from '../src/latency/nasnet-parts.js';
import { getModel } from '../src/models/zoo.js';
import type { LatencySpace } from '../src/latency/plan.js';
import { getSpace } from '../src/space/index.js';
import { quantile } from '../src/trainer/latency.js';
import { machineLine, table, writeSection } from './report.js';

const { values } = parseArgs({
  options: {
    spaces: { type: 'string', default: 'ponas,mnasnet,nasnet' },
    samples: { type: 'string', default: '50' },
    'image-size': { type: 'string', default: '32' },
    warmup: { type: 'string', default: '2' },
    runs: { type: 'string', default: '10' },
    'full-mnasnet': { type: 'boolean', default: false },
    'full-nasnet': { type: 'boolean', default: false },
    'nasnet-macro': { type: 'string' },
    clock: { type: 'string', default: 'wall' },
  },
});
if (values.clock !== 'wall' && values.clock !== 'cpu') throw new Error(`--clock must be wall or cpu; received "${values.clock}"`);
const SPACES = values.spaces.split(',') as LatencySpace[];
const SAMPLES = Number(values.samples);
const SIZE = Number(values['image-size']);
const WARMUP = Number(values.warmup);
const RUNS = Number(values.runs);
/** The NASNet macro: a zoo model's, or undefined for the space's default. */
const NASNET_CELLS = (() => {
  const model = values['nasnet-macro'];
  if (model === undefined) return undefined;
  const def = getModel(model).def();
  const m = def.kind === 'cells' ? latencyMacroOf(def.macro) : null;
  if (!m || def.kind !== 'cells' || def.family.kind !== 'nasnet') throw new Error(`--nasnet-macro must be a nasnet zoo model; received "${model}"`);
  return m;
})();
/**
 * wall: performance.now(), the deployed figure. cpu: this process's CPU time (all threads), which a
 * loaded machine's preemption does not inflate: on a shared machine it shows whether the table's
 * sum models the network, separately from how much the scheduler delayed each run.
 */
const now =
  values.clock === 'cpu'
    ? (): number => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : (): number => performance.now();
const load1 = (): number => loadavg()[0] ?? 0;

const backend = await loadBackend(process.env.NASFLOW_TF_BACKEND, (m) => console.error(m));
const loadStart = load1();
const started = performance.now(); // durations in wall time whatever the clock measuring latency
const rows: (string | number)[][] = [];
const detail: string[] = [];
for (const space of SPACES) {
  const rng = Rng.seeded(`latency-predict/${space}`);
  const s = getSpace(space);
  // The NASNet zoo models share their cells; at one macro they are one network.
  const zoo = space === 'nasnet' ? [{ ...zooNetwork(space, 'nasnet-a-mobile'), name: 'NASNet-A cells' }] : zooModelsOf(space).map((m) => zooNetwork(space, m));
  const networks: PricedNetwork[] = [...zoo, ...Array.from({ length: SAMPLES }, (_, i) => genotypeNetwork(space, s.serialize(s.sample(rng)), `sample${i}`))];
  const full = space === 'ponas' || (space === 'mnasnet' && values['full-mnasnet']) || (space === 'nasnet' && values['full-nasnet']);
  const t0 = performance.now();
  const profiled = profileLatency({
    space,
    imageSize: SIZE,
    classes: 10,
    batch: 1,
    warmup: WARMUP,
    runs: RUNS,
    backend,
    now,
    extraNetworks: networks.map((n) => n.stages),
    genotypes: networks.flatMap((n) => (n.cells ? [n.cells] : [])),
    ...(space === 'nasnet' && NASNET_CELLS ? { cells: NASNET_CELLS } : {}),
    ...(full ? {} : { enumerate: false }),
    onProgress: (done, total) => {
      if (done % 50 === 0 || done === total) console.error(`${space}: profiled ${done}/${total} parts`);
    },
  });
  const profileS = (performance.now() - t0) / 1000;
  const errors: number[] = [];
  for (const n of networks) {
    const predicted = predictMs(profiled, n);
    const measured = measureNetworkMs(backend.tf, profiled, n, now);
    const err = (predicted - measured) / measured;
    errors.push(err);
    console.log(`${space} ${n.name}: predicted ${predicted.toFixed(3)} ms, measured ${measured.toFixed(3)} ms, error ${(100 * err).toFixed(1)} %`);
    if (!n.name.startsWith('sample'))
      detail.push(`${space} ${n.name}: predicted ${predicted.toFixed(2)} ms, measured ${measured.toFixed(2)} ms (${(100 * err).toFixed(1)} %)`);
  }
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const signed = [...errors].sort((a, b) => a - b);
  const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const m = profiled.macro;
  rows.push([
    m ? `${space} (${m.stem}, N ${m.cellsPerStage}, F ${m.filters})` : space,
    networks.length,
    full ? `whole space, ${profiled.parts} parts` : `${profiled.parts} parts of the compared networks`,
    `${profileS.toFixed(0)} s`,
    pct(abs.reduce((a, b) => a + b, 0) / abs.length),
    pct(quantile(abs, 0.5)),
    pct(quantile(abs, 0.9)),
    pct(quantile(abs, 1)),
    pct(quantile(signed, 0.5)),
    `${profiled.protocol.callOverheadMs.toFixed(3)} ms`,
  ]);
}
const loadEnd = load1();
const niceness = getPriority();
const command = `${niceness !== 0 ? `nice -n ${niceness} ` : ''}node dist/bench/latency-predict.bench.js ${process.argv.slice(2).join(' ')}`.trim();
const md = [
  `## Latency lookup table vs whole-network measurement (issue 17, ${values.clock} clock)`,
  '',
  `Per space: the zoo models plus ${SAMPLES} seeded sampled networks; prediction = base + the sum of the network's table entries`,
  `(src/latency/plan.ts: each block = first layer + (r - 1) repeated layers; nasnet: each piece of each cell (src/algorithms/rl/nasnet-latency-keys.ts);`,
  `each part timed alone at its input shape, one predict call's overhead`,
  `taken off each part and kept once in base); measured = the whole network timed with the same protocol (median of ${RUNS} runs after`,
  `${WARMUP} warm-up, ${SIZE}x${SIZE}, batch 1, output read back) on ${backend.backend} (${backend.pkg}). Error = (predicted - measured) / measured.`,
  values.clock === 'cpu'
    ? "Clock: the process's CPU time (user + system, all threads) instead of wall time, so preemption by other processes is not counted."
    : 'Clock: wall time (performance.now), as the trainer and the profile measure by default.',
  '',
  table(['space', 'networks', 'profiled', 'profile time', 'mean abs error', 'median abs', 'p90 abs', 'max abs', 'median signed', 'call overhead'], rows),
  '',
  ...detail.map((d) => `- ${d}`),
  '',
  // What the machine was doing is measured here (load, niceness); what else ran goes in BENCHMARKS.md by hand.
  `Load average (1 min) ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end on ${cpus().length} cores; the bench ran at nice ${niceness}` +
    `${values.clock === 'wall' && loadStart + loadEnd > 2 ? ' (wall-clock timings include any preemption by other work)' : ''}. TF threads: intra-op ${process.env.TF_NUM_INTRAOP_THREADS ?? 'default'}, inter-op ${process.env.TF_NUM_INTEROP_THREADS ?? 'default'}. Total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  `Machine: ${machineLine()}. Command: \`${command}\`.`,
].join('\n');
console.log(md);
writeSection(values.clock === 'cpu' ? 'latency-predict-cpu-clock' : 'latency-predict', md);
