/**
 * Training throughput of the tiny NASNet-like probe net (src/trainer/backend/probe-net.ts,
 * 32x32x3 input, SGD with momentum) at batch 32 and 64, on the pure-JS CPU backend and on the
 * native TensorFlow backend, measured in the same process; prints images/s, the native/pure-JS
 * ratio, and the fraction of the machine's peak FP32 FLOP/s each reaches. Images per CPU-second
 * is printed too: on a shared machine it moves less with the load than images/s does (pure JS
 * uses one core at most, native both, so on an idle machine the wall-clock ratio is the larger).
 *
 * Usage: node dist/bench/backend.bench.js [--cpu-steps N] [--native-seconds S]
 * Peak FLOP/s is estimated as cores x clock x FP32 FLOPs per cycle per core, the last from the
 * CPU flags (2 FMA pipes x vector lanes x 2; AMD Zen 4 runs AVX-512 on 256-bit pipes, so 32), and
 * also measured as the rate of a 1024x1024 matmul on the native backend (attainable peak).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/common/rng.js';
import { loadFastestBackend, type Tf } from '../src/trainer/backend/select.js';
import { defaultToolsDir } from '../src/trainer/backend/native-cache.js';
import { ensureNativeProvisioned } from '../src/trainer/backend/provision.js';
import { buildProbeNet, probeBatch } from '../src/trainer/backend/probe-net.js';
import { modelMultAdds, trainingFlopsPerExample } from '../src/trainer/backend/mult-adds.js';

const BATCHES = [32, 64];

interface Peak {
  gflops: number;
  how: string;
}

/** Theoretical FP32 peak from /proc/cpuinfo: cores x MHz x FLOPs/cycle (see the docblock). */
function theoreticalPeak(): Peak {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const mhz = Number(info.match(/^cpu MHz\s*:\s*([\d.]+)/m)?.[1] ?? 0);
  const flags = info.match(/^flags\s*:(.*)$/m)?.[1]?.split(/\s+/) ?? [];
  const amd = /AuthenticAMD/.test(info);
  const lanes = flags.includes('avx512f') && !amd ? 16 : flags.includes('avx2') || flags.includes('avx') ? 8 : 4;
  const fmaFactor = flags.includes('fma') ? 2 : 1;
  const perCycle = 2 * lanes * fmaFactor;
  const cores = availableParallelism();
  return {
    gflops: (cores * mhz * perCycle) / 1000,
    how: `${cores} cores x ${mhz.toFixed(0)} MHz x ${perCycle} FP32 FLOP/cycle (2 pipes x ${lanes} lanes x ${fmaFactor} for FMA)`,
  };
}

/** Attainable peak: a 1024x1024 matmul on the active backend, best of a few runs. */
function matmulPeak(tf: Tf): Peak {
  const n = 1024;
  const a = tf.randomNormal([n, n]);
  let best = Infinity;
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    // Nothing is returned from tidy: it would walk a returned Float32Array element by element.
    tf.tidy(() => {
      tf.matMul(a, a).dataSync();
    });
    best = Math.min(best, performance.now() - start);
  }
  a.dispose();
  return { gflops: (2 * n ** 3) / best / 1e6, how: `best of 6 ${n}x${n} float32 matmuls on the native backend` };
}

interface Rate {
  imagesPerSecond: number;
  cpuShare: number;
}

/**
 * Images/s of train steps at one batch size: a warm-up, then steps until the budget is spent.
 * cpuShare is process CPU time over wall time (2.0 = both cores busy): on a shared machine it
 * shows how much of the machine the measurement actually got.
 */
async function measure(tf: Tf, batch: number, minSteps: number, minSeconds: number): Promise<Rate> {
  const model = buildProbeNet(tf, { seed: 1 });
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
  const { x, y } = probeBatch(tf, Rng.seeded(batch), { examples: batch });
  // The warm-up (weight transfer, kernel set-up) uses 2 examples: on pure JS a full batch
  // costs a minute, and its cost scales with the batch, so nothing is gained from a full one.
  const warm = probeBatch(tf, Rng.seeded(0), { examples: 2 });
  await model.trainOnBatch(warm.x, warm.y);
  if (tf.getBackend() === 'tensorflow') await model.trainOnBatch(x, y);
  let steps = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (steps < minSteps || performance.now() - start < minSeconds * 1000) {
    await model.trainOnBatch(x, y);
    steps++;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  tf.dispose([x, y, warm.x, warm.y]);
  model.dispose();
  return { imagesPerSecond: (steps * batch) / (ms / 1000), cpuShare: (used.user + used.system) / 1000 / ms };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'cpu-steps': { type: 'string', default: '1' },
      'native-seconds': { type: 'string', default: '8' },
    },
  });
  const repoRoot = join(import.meta.dirname, '..', '..');
  const toolsDir = defaultToolsDir(process.env);
  const status = ensureNativeProvisioned({ repoRoot, toolsDir });
  const loaded = await loadFastestBackend({ order: status.ok ? ['tfjs-node', 'cpu'] : ['cpu'], toolsDir });
  const { tf } = loaded;
  const native = loaded.backend === 'tfjs-node';
  if (!native) console.log(`native backend unavailable: ${status.ok ? loaded.warning : status.reason}`);

  const probe = buildProbeNet(tf, { seed: 1 });
  const flopsPerImage = trainingFlopsPerExample(probe);
  console.log(
    `probe net: ${probe.countParams()} params, ${(modelMultAdds(probe) / 1e6).toFixed(2)} M mult-adds/image forward, ` +
      `${(flopsPerImage / 1e6).toFixed(1)} MFLOP/image per training step (6 x mult-adds)`,
  );
  probe.dispose();

  const peaks = [theoreticalPeak()];
  if (native) peaks.push(matmulPeak(tf));
  for (const p of peaks) console.log(`peak ${p.gflops.toFixed(1)} GFLOP/s: ${p.how}`);

  const rows = ['| backend | batch | images/s | CPU share | images/CPU-s | GFLOP/s | % of est. peak | % of matmul peak |', '|---|---|---|---|---|---|---|---|'];
  const row = (label: string, batch: number, rate: Rate): void => {
    const gflops = (rate.imagesPerSecond * flopsPerImage) / 1e9;
    const pct = peaks.map((p) => `${((100 * gflops) / p.gflops).toFixed(2)}%`);
    rows.push(
      `| ${label} | ${batch} | ${rate.imagesPerSecond.toFixed(2)} | ${rate.cpuShare.toFixed(2)} | ` +
        `${(rate.imagesPerSecond / rate.cpuShare).toFixed(2)} | ` +
        `${gflops.toFixed(2)} | ${pct[0]} | ${pct[1] ?? 'n/a'} |`,
    );
    console.log(rows.at(-1));
  };
  const ratios: string[] = [];
  for (const batch of BATCHES) {
    // Native is measured before and after the pure-JS run and averaged, so both see the same
    // (shared, fluctuating) machine load as nearly as possible.
    let nativeBefore: Rate | undefined;
    if (native) {
      await tf.setBackend('tensorflow');
      nativeBefore = await measure(tf, batch, 3, Number(values['native-seconds']) / 2);
    }
    await tf.setBackend('cpu');
    const pure = await measure(tf, batch, Number(values['cpu-steps']), 0);
    row('pure JS (cpu)', batch, pure);
    if (!nativeBefore) continue; // not native
    await tf.setBackend('tensorflow');
    const nativeAfter = await measure(tf, batch, 3, Number(values['native-seconds']) / 2);
    const mean = (f: (r: Rate) => number): number => (f(nativeBefore) + f(nativeAfter)) / 2;
    const nativeRate = { imagesPerSecond: mean((r) => r.imagesPerSecond), cpuShare: mean((r) => r.cpuShare) };
    row('native (tfjs-node, TF 2.21 C API)', batch, nativeRate);
    const perCpu = (r: Rate): number => r.imagesPerSecond / r.cpuShare;
    ratios.push(
      `batch ${batch}: native / pure JS = ${(nativeRate.imagesPerSecond / pure.imagesPerSecond).toFixed(1)}x ` +
        `in images/s, ${(perCpu(nativeRate) / perCpu(pure)).toFixed(1)}x in images per CPU-second ` +
        `(native runs: ${[nativeBefore, nativeAfter].map((r) => r.imagesPerSecond.toFixed(1)).join(' and ')} images/s)`,
    );
  }
  console.log('\n' + rows.join('\n'));
  for (const line of ratios) console.log(line);
}

await main();
