/**
 * Inference latency of a trained network on the device it trained on: the figure MnasNet's reward
 * uses (Tan et al. 2019, Sec. 3: "real-world inference latency by executing the model on real
 * mobile phones"; Sec. 4: single-image latency). Measured on the path users deploy — the tfjs
 * layers model's `predict` on the loaded backend — with the output read back (`dataSync`) so the
 * time includes the device finishing its work, not just the kernel launches.
 *
 * Protocol per batch size: `warmup` untimed runs (kernel selection, allocator growth, first-call
 * graph building), then `runs` timed runs; the median is the figure, p90 and the relative spread
 * say how stable it was.
 */
import type * as tfc from '@tensorflow/tfjs';
import type { TF } from './backend.js';
import { at } from '../common/indexing.js';

export interface LatencyArgs {
  /** Batch sizes to time. Batch 1 is the MnasNet figure; the spec's batch shows throughput latency. */
  batches: readonly number[];
  imageSize: number;
  /**
   * Input shape per example (height, width, channels) when it is not an image: a single block of a
   * network timed at the shape it sees there (src/latency/profile.ts). Default: imageSize x imageSize x 3.
   */
  inputShape?: readonly [number, number, number];
  /** Untimed runs before timing. Default: 5. */
  warmup?: number;
  /** Timed runs per batch size. Default: 30. */
  runs?: number;
  /** Milliseconds, high resolution (`performance.now` at the entry point). */
  now(): number;
}

export interface BatchLatency {
  batch: number;
  medianMs: number;
  p90Ms: number;
  meanMs: number;
  minMs: number;
  /** Standard deviation over the mean: the run-to-run spread. */
  relativeStd: number;
}

export interface LatencyMeasurement {
  warmup: number;
  runs: number;
  imageSize: number;
  batches: BatchLatency[];
}

/** The q-quantile of sorted values by nearest rank (q in [0, 1]). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile: no values');
  return at(sorted, Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1)), `quantile ${q} rank`);
}

export function summarise(batch: number, times: readonly number[]): BatchLatency {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = sorted.reduce((s, t) => s + t, 0) / sorted.length;
  const sd = Math.sqrt(sorted.reduce((s, t) => s + (t - mean) ** 2, 0) / Math.max(1, sorted.length - 1));
  return {
    batch,
    medianMs: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    meanMs: mean,
    minMs: quantile(sorted, 0),
    relativeStd: mean > 0 ? sd / mean : 0,
  };
}

function timeOnce(tf: TF, model: tfc.LayersModel, x: tfc.Tensor, now: () => number): number {
  const start = now();
  tf.tidy(() => {
    const out = model.predict(x);
    // Reading every output back waits for the device; the first output is the logits.
    for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
  });
  return now() - start;
}

export function measureLatency(tf: TF, model: tfc.LayersModel, a: LatencyArgs): LatencyMeasurement {
  const warmup = a.warmup ?? 5;
  const runs = a.runs ?? 30;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`latency.runs: expected a positive integer; received ${runs}`);
  const batches = [...new Set(a.batches)].map((batch) => {
    // Fixed input values: latency does not depend on them, and a seeded trial stays reproducible.
    const [h, w, c] = a.inputShape ?? [a.imageSize, a.imageSize, 3];
    const x = tf.fill([batch, h, w, c], 0.5);
    try {
      for (let i = 0; i < warmup; i++) timeOnce(tf, model, x, a.now);
      const times = Array.from({ length: runs }, () => timeOnce(tf, model, x, a.now));
      return summarise(batch, times);
    } finally {
      x.dispose();
    }
  });
  return { warmup, runs, imageSize: a.imageSize, batches };
}

export function describeLatency(m: LatencyMeasurement, backend: string): string {
  const parts = m.batches.map(
    (b) => `batch ${b.batch}: median ${b.medianMs.toFixed(2)} ms, p90 ${b.p90Ms.toFixed(2)} ms (sd ${(100 * b.relativeStd).toFixed(1)} %)`,
  );
  return `inference latency on ${backend} (${m.warmup} warm-up + ${m.runs} timed runs, ${m.imageSize}x${m.imageSize}): ${parts.join('; ')}`;
}
