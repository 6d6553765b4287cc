/**
 * How much of the trainer's time goes to its data pipeline: the CIFAR-10 NASNet-A search child
 * (N=2, F=16, 32x32, built from a trial spec as `nasflow train` builds it) trained, in one
 * process and on the same model, by
 *   - the kernel loop: src/trainer/steps.ts `trainStep` on one fixed batch (no data work);
 *   - the trainer's loop (src/trainer/loop.ts `trainLoop`) over a synthetic CIFAR-10 split with
 *     the recipe's default augmentation (pad 4 + crop, flip), batches built inline on the main
 *     thread (the old pipeline) or by the worker one step ahead (the current default).
 * For the loop it reports the loop's own throughput (steps including the wait for their batch)
 * and the whole call (with the epoch-end validation pass and checkpoint). Each figure is given in
 * images per wall second and per CPU second of this process: on a shared machine the wall
 * figures move with the load, the CPU figures much less. Writes the `trainer-pipeline` section
 * of BENCHMARKS.md with the load average.
 *
 * Usage: node dist/bench/trainer-pipeline.bench.js [--steps N] [--batches 32,64] [--val 64] [--no-write]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tfc from '@tensorflow/tfjs';
import { makeBatch } from '../src/trainer/augment.js';
import { loadBackend } from '../src/trainer/backend.js';
import type { BatchSourceKind } from '../src/trainer/batch-source.js';
import { sliceSet } from '../src/trainer/cifar-format.js';
import { defaultModelFactory } from '../src/trainer/factories.js';
import { trainLoop } from '../src/trainer/loop.js';
import type { BuiltModel } from '../src/trainer/model.js';
import { Optimizer } from '../src/trainer/optimizers.js';
import type { TrialSpec } from '../src/trainer/spec.js';
import { trainStep } from '../src/trainer/steps.js';
import { synthesize } from '../src/trainer/synth.js';
import { LocalStore } from '../src/store/local-store.js';
import { Rng } from '../src/common/rng.js';
import type { TF } from '../src/trainer/backend.js';
import { cifarChildSpec } from './cifar-child.js';
import { machineLine, table, writeSection } from './report.js';

interface Rate {
  wall: number;
  cpu: number;
}

/** Images per wall second and per CPU second (all threads of this process) of `fn`. */
async function rate(images: number, fn: () => unknown): Promise<Rate> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(c0);
  return { wall: images / ((performance.now() - t0) / 1000), cpu: images / ((cpu.user + cpu.system) / 1e6) };
}

function kernelLoop(tf: TF, built: BuiltModel, spec: TrialSpec, steps: number): () => void {
  const r = spec.recipe;
  const vars = built.model.trainableWeights.map((w) => w.read() as tfc.Variable);
  const opt = new Optimizer(tf, r.optimizer, r.weightDecay, vars);
  const rng = Rng.seeded(1);
  const x = Float32Array.from({ length: r.batchSize * 32 * 32 * 3 }, () => rng.normal());
  const labels = Array.from({ length: r.batchSize }, () => rng.int(10));
  const args = { classes: 10, labelSmoothing: r.labelSmoothing, auxWeight: r.auxWeight, gradClipNorm: r.gradClipNorm, lr: 0.05 };
  // Warm-up (first-call kernel set-up), not timed.
  trainStep(tf, built.model, opt, x, labels, 32, args);
  return () => {
    for (let i = 0; i < steps; i++) trainStep(tf, built.model, opt, x, labels, 32, args);
    opt.dispose();
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '6' },
      batches: { type: 'string', default: '32,64' },
      val: { type: 'string', default: '64' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const valCount = Number(values.val);
  const { tf, backend, pkg } = await loadBackend(undefined, (m) => console.error(m));
  const loadBefore = loadavg();
  const rows: string[][] = [];
  const dir = await mkdtemp(join(tmpdir(), 'nasflow-pipeline-bench-'));
  try {
    for (const batch of values.batches.split(',').map(Number)) {
      const spec = cifarChildSpec(batch);
      const { train } = synthesize({ classes: 10, train: batch * steps + valCount, test: 0, seed: 1 });
      const data = { train: sliceSet(train, 0, batch * steps), val: sliceSet(train, batch * steps, train.count) };
      const built = await defaultModelFactory(tf, spec, { height: 32, width: 32, channels: 3 });
      try {
        const aug = { imageSize: 32, ...spec.recipe.augment };
        const idx = Array.from({ length: batch }, (_, i) => i);
        const js = await rate(batch * 20, () => {
          for (let i = 0; i < 20; i++) makeBatch(data.train, idx, aug, Rng.seeded(i));
        });
        const run = kernelLoop(tf, built, spec, steps);
        const kernel = await rate(batch * steps, run);
        const row = (name: string, r: Rate): string[] => [
          name,
          String(batch),
          r.wall.toFixed(2),
          r.cpu.toFixed(2),
          (r.wall / kernel.wall).toFixed(2),
          (r.cpu / kernel.cpu).toFixed(2),
        ];
        rows.push(row('kernel loop (trainStep, fixed batch)', kernel));
        console.log(rows.at(-1)?.join(' | '));
        for (const kind of ['inline', 'worker'] as BatchSourceKind[]) {
          let stepsRate = 0;
          const whole = await rate(batch * steps, async () => {
            const out = await trainLoop({
              tf,
              built,
              spec,
              data,
              out: new LocalStore(join(dir, `${batch}-${kind}`)),
              shouldStop: () => false,
              now: () => performance.now(),
              log: () => undefined,
              batchSource: kind,
            });
            stepsRate = out.images / out.seconds;
          });
          const name =
            kind === 'inline' ? 'trainer loop, batches inline on the main thread (before)' : 'trainer loop, batches by the worker one step ahead (after)';
          rows.push([...row(`${name}: steps`, { wall: stepsRate, cpu: Number.NaN }).slice(0, 3), '-', (stepsRate / kernel.wall).toFixed(2), '-']);
          rows.push(row(`${name}: whole call incl. validation of ${valCount} + checkpoint`, whole));
          console.log(rows.at(-2)?.join(' | '));
          console.log(rows.at(-1)?.join(' | '));
        }
        rows.push([
          'JS augmentation alone (makeBatch on the main thread, pad-crop + flip; no step)',
          String(batch),
          js.wall.toFixed(0),
          js.cpu.toFixed(0),
          '',
          '',
        ]);
        console.log(rows.at(-1)?.join(' | '));
      } finally {
        built.model.dispose();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const fmt = (l: number[]) => l.map((v) => v.toFixed(2)).join(', ');
  const md = [
    '## Trainer pipeline: kernel loop vs the loop with data',
    '',
    `Measured by \`node dist/bench/trainer-pipeline.bench.js --steps ${steps} --batches ${values.batches}\` on ${machineLine()}, backend ${backend} (${pkg}).`,
    `Load average (1, 5, 15 min) before: ${fmt(loadBefore)}; after: ${fmt(loadAfter)} on ${navigator.hardwareConcurrency} cores.`,
    "Model: NASNet-A CIFAR-10 search child (N=2, F=16, 32x32) built from a trial spec by the trainer's factory; recipe defaults",
    `(SGD-momentum, label smoothing 0.1, clip 5, augmentation pad 4 + crop + flip). ${steps} timed steps per row after one warm-up step,`,
    'all rows on the same model in one process. "ratio" is the row\'s images/s over the kernel loop\'s (wall; CPU: per CPU second',
    'of the whole process, every thread). "steps" is the loop\'s own clock (each step including the wait for its batch);',
    '"whole call" adds the epoch-end validation pass and checkpoint write. A figure taken beside other work is only as good as',
    'the load says: re-measure on a quiet machine.',
    '',
    table(['what', 'batch', 'images/s (wall)', 'images per CPU-s', 'ratio (wall)', 'ratio (CPU)'], rows),
  ].join('\n');
  console.log(`\n${md}`);
  if (!values['no-write']) writeSection('trainer-pipeline', md);
}

await main();
