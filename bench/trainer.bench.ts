/**
 * Training throughput of the CIFAR-10 NASNet-A search child (N=2, F=16, 32x32, 10 classes; the
 * `nasnet` default macro of src/models) through the trainer's own step (forward, loss, backward,
 * global-norm clipping, SGD-momentum with weight decay: src/trainer/steps.ts), at batch 32 and
 * 64, on every backend that loads here, measured in the same process. Writes the `trainer`
 * section of BENCHMARKS.md.
 *
 * Usage: node dist/bench/trainer.bench.js [--cpu-steps N] [--native-seconds S] [--batches 32,64] [--backends cpu,native] [--no-write]
 * (one pure-JS step of this child at batch 32 takes tens of minutes on a loaded 2-core machine).
 * Training FLOPs per image are estimated as 6 x the analytic forward mult-adds (forward 2x,
 * backward 4x), the usual rule of thumb.
 */
import { parseArgs } from 'node:util';
import type * as tfc from '@tensorflow/tfjs';
import { Rng } from '../src/common/rng.js';
import { buildDef, costOfDef, networkDef } from '../src/models/build.js';
import { NASNET_A } from '../src/space/index.js';
import { loadFastestBackend } from '../src/trainer/backend/select.js';
import type { TF } from '../src/trainer/backend.js';
import { Optimizer } from '../src/trainer/optimizers.js';
import { trainStep } from '../src/trainer/steps.js';
import { machineLine, table, writeSection } from './report.js';

const DEF = networkDef('nasnet', NASNET_A, { N: 2, F: 16, classes: 10, inputSize: 32 });

/** Images/s of trainer steps: one warm-up step on 2 images, then at least `minSteps` steps and `minSeconds`. */
function imagesPerSecond(tf: TF, batch: number, minSteps: number, minSeconds: number): number {
  const model = buildDef(tf, DEF);
  const vars = model.trainableWeights.map((w) => w.read() as tfc.Variable);
  const opt = new Optimizer(tf, { type: 'sgd-momentum', momentum: 0.9, nesterov: false }, 1e-4, vars);
  const rng = Rng.seeded(batch);
  const x = Float32Array.from({ length: batch * 32 * 32 * 3 }, () => rng.normal());
  const labels = Array.from({ length: batch }, () => rng.int(10));
  const args = { classes: 10, labelSmoothing: 0.1, auxWeight: 0.4, gradClipNorm: 5, lr: 0.05 };
  trainStep(tf, model, opt, x.subarray(0, 2 * 3072), labels.slice(0, 2), 32, args);
  if (tf.getBackend() !== 'cpu') trainStep(tf, model, opt, x, labels, 32, args);
  let steps = 0;
  const start = performance.now();
  while (steps < minSteps || performance.now() - start < minSeconds * 1000) {
    trainStep(tf, model, opt, x, labels, 32, args);
    steps++;
  }
  const seconds = (performance.now() - start) / 1000;
  opt.dispose();
  model.dispose();
  return (steps * batch) / seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'cpu-steps': { type: 'string', default: '1' },
      'native-seconds': { type: 'string', default: '20' },
      batches: { type: 'string', default: '32,64' },
      backends: { type: 'string', default: 'cpu,native' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const batches = values.batches.split(',').map(Number);
  const loaded = await loadFastestBackend({ order: ['tfjs-node', 'cpu'] });
  const { tf } = loaded;
  const cost = costOfDef(DEF);
  const flopsPerImage = 6 * cost.multAdds;
  console.log(
    `CIFAR child (NASNet-A, N=2, F=16, 32x32): ${cost.params} params, ${(cost.multAdds / 1e6).toFixed(1)} M mult-adds/image, ~${(flopsPerImage / 1e6).toFixed(0)} MFLOP per training image`,
  );
  const wanted = values.backends.split(',');
  const backends = [...(wanted.includes('cpu') ? ['cpu'] : []), ...(wanted.includes('native') && tf.getBackend() !== 'cpu' ? [tf.getBackend()] : [])];
  const rates: Record<string, Record<number, number>> = {};
  const rows: string[][] = [];
  for (const backend of backends) {
    await tf.setBackend(backend);
    rates[backend] = {};
    for (const batch of batches) {
      const rate =
        backend === 'cpu' ? imagesPerSecond(tf, batch, Number(values['cpu-steps']), 0) : imagesPerSecond(tf, batch, 3, Number(values['native-seconds']));
      rates[backend][batch] = rate;
      const name = backend === 'cpu' ? 'pure JS (@tensorflow/tfjs cpu)' : `native (${loaded.backend})`;
      const ratio = backend === 'cpu' ? '1x' : rates.cpu?.[batch] ? `${(rate / rates.cpu[batch]).toFixed(0)}x` : 'n/a';
      rows.push([name, String(batch), rate.toFixed(2), ((rate * flopsPerImage) / 1e9).toFixed(2), ratio]);
      console.log(rows.at(-1)?.join(' | '));
    }
  }
  const md = [
    '## Trainer: CIFAR child training throughput',
    '',
    `Measured by \`node dist/bench/trainer.bench.js\` on ${machineLine()}. Model: NASNet-A CIFAR-10 search child`,
    `(N=2, F=16, 32x32, 10 classes), ${cost.params} params, ${(cost.multAdds / 1e6).toFixed(1)} M mult-adds per image; one step =`,
    "forward + cross-entropy with label smoothing + backward + global-norm clip + SGD-momentum (the trainer's own step).",
    'GFLOP/s counts 6 x mult-adds per trained image. Pure JS runs one timed step per batch size (a step takes minutes).',
    '',
    table(['backend', 'batch', 'images/s', 'GFLOP/s', 'vs pure JS'], rows),
  ].join('\n');
  console.log(`\n${md}`);
  if (!values['no-write']) writeSection('trainer', md);
}

await main();
