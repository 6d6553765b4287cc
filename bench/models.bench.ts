/**
 * Model-building figures: analytic cost-model time per genotype (per space, and per zoo model),
 * tfjs build time, and pure-JS CPU forward throughput (inference mode) of NASNet-A mobile at
 * 224x224 and of the CIFAR-10 NASNet-A search child (N=2, F=16) at 32x32. Prints a markdown
 * section; `--write` also stores it as the `models` section of BENCHMARKS.md.
 *
 * Usage: node dist/bench/models.bench.js [--samples 5000] [--seconds 10] [--write]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { at } from '../src/common/indexing.js';
import { Rng } from '../src/common/rng.js';
import { buildDef, costOf, costOfDef, getModel, listModels, networkDef, type NetworkDef } from '../src/models/index.js';
import { getSpace, NASNET_A } from '../src/space/index.js';
import { machineLine, table, writeSection } from './report.js';

function costModelRows(samples: number): (string | number)[][] {
  return ['nasnet', 'pnas', 'mnasnet', 'ponas'].map((name) => {
    const space = getSpace(name);
    const rng = Rng.seeded(`bench/${name}`);
    const gs = Array.from({ length: samples }, () => space.sample(rng));
    for (const g of gs.slice(0, 200)) costOf(space, g); // warm the JIT
    const start = performance.now();
    for (const g of gs) costOf(space, g);
    const ms = (performance.now() - start) / samples;
    return [`${name} (default macro, ${samples} samples, incl. validation)`, `${(ms * 1000).toFixed(1)} µs`];
  });
}

function zooCostRows(): (string | number)[][] {
  return listModels().map((name) => {
    const def = getModel(name).def();
    costOfDef(def);
    const reps = 20;
    const start = performance.now();
    for (let i = 0; i < reps; i++) costOfDef(def);
    return [`${name}`, `${((performance.now() - start) / reps).toFixed(2)} ms`];
  });
}

function medianBuildMs(def: NetworkDef, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    const model = buildDef(tf, def);
    times.push(performance.now() - start);
    model.dispose();
  }
  return at(
    times.sort((a, b) => a - b),
    Math.floor(times.length / 2),
    'median build time',
  );
}

/** Inference images/s: one warm-up batch, then batches until `seconds` have passed (at least 2). */
function forwardImagesPerSecond(def: NetworkDef, batch: number, seconds: number): number {
  const model = buildDef(tf, def);
  const size = def.macro.inputSize;
  const x = tf.randomNormal([batch, size, size, 3]);
  tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  let n = 0;
  const start = performance.now();
  while (n < 2 || performance.now() - start < seconds * 1000) {
    tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    n++;
  }
  const ips = (n * batch) / ((performance.now() - start) / 1000);
  x.dispose();
  model.dispose();
  return ips;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { samples: { type: 'string', default: '5000' }, seconds: { type: 'string', default: '10' }, write: { type: 'boolean', default: false } },
  });
  await tf.setBackend('cpu');
  const samples = Number(values.samples);
  const seconds = Number(values.seconds);
  const mobile = getModel('nasnet-a-mobile').def();
  const child = networkDef('nasnet', NASNET_A, { stem: 'cifar', inputSize: 32, N: 2, F: 16, classes: 10 });
  const rows: (string | number)[][] = [];
  for (const [label, def, batch] of [
    ['nasnet-a-mobile @224', mobile, 1],
    ['NASNet-A CIFAR child N=2 F=16 @32', child, 32],
  ] as const) {
    const cost = costOfDef(def);
    rows.push([
      label,
      cost.params.toLocaleString('en-US'),
      `${(cost.multAdds / 1e6).toFixed(1)}M`,
      `${medianBuildMs(def, 3).toFixed(0)} ms`,
      batch,
      forwardImagesPerSecond(def, batch, seconds).toFixed(2),
    ]);
  }
  const md = [
    '## Models: cost model, build and CPU forward',
    '',
    `Machine: ${machineLine()}; tfjs ${tf.version.tfjs} pure-JS \`cpu\` backend; inference mode; build = median of 3.`,
    '',
    table(['model', 'params', 'mult-adds', 'tfjs build', 'batch', 'forward images/s'], rows),
    '',
    'Analytic cost model, time per genotype (parse + validate + count):',
    '',
    table(['space', 'time'], costModelRows(samples)),
    '',
    'Analytic cost model per zoo model:',
    '',
    table(['model', 'time'], zooCostRows()),
  ].join('\n');
  console.log(md);
  if (values.write) writeSection('models', md);
}

await main();
