/**
 * `result.json`: what a trial process leaves for the search, written last and atomically next to
 * the trial's spec (src/store/layout.ts). One schema, discriminated by `kind`, used by every writer
 * and by the search that collects it:
 * - `trained`: the trainer trained a child network (src/trainer/run-trial.ts);
 * - `benchmark`: a tabular benchmark answered it (src/launch/benchmark-answer.ts);
 * - `ponas-supernet`: a PONAS supernet stage (src/trainer/supernet/run-supernet.ts).
 *
 * Units. Accuracies are fractions in [0, 1] in every kind, as trainers measure them. The search
 * works in percent, as the papers and NAS-Bench-201 report them (algorithms, progress, leaderboard,
 * status, search attributes); {@link searchAccuracy} is the one place that converts, when the
 * search collects a result. Times are seconds.
 */
import { z } from 'zod';

/** Version of the `trained` kind (2 added `kind`; a version-1 file is not reused on resume). */
export const TRIAL_RESULT_VERSION = 2;

/** The device a trial trained on. */
export const deviceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('gpu'),
    /** Visible GPUs (device nodes in the container). */
    count: z.number().int().min(1),
    /** Model of each visible GPU, as the driver names it (e.g. "NVIDIA H100 80GB HBM3"). */
    models: z.array(z.string()),
    driver: z.string().optional(),
  }),
  z.object({
    kind: z.literal('cpu'),
    /** Why not a GPU, in words (no device, CPU build, CUDA failed to load, pure-JS backend). */
    reason: z.string(),
  }),
]);
export type Device = z.infer<typeof deviceSchema>;

const fraction = z.number().min(0).max(1);

export const epochRecordSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: fraction,
  valLoss: z.number(),
  valAccuracy: fraction,
  /** Learning rate at the epoch's last step. */
  lr: z.number(),
  /** Training images per second in this epoch (excluding evaluation). */
  imagesPerSecond: z.number().min(0),
});

/** Inference latency at one batch size (milliseconds per forward pass of the whole batch). */
export const batchLatencySchema = z.object({
  batch: z.number().int().min(1),
  medianMs: z.number().min(0),
  p90Ms: z.number().min(0),
  meanMs: z.number().min(0),
  minMs: z.number().min(0),
  /** Standard deviation over the mean of the timed runs. */
  relativeStd: z.number().min(0),
});

/**
 * Inference latency of the trained network measured by the trainer on the device it ran on
 * (src/trainer/latency.ts): tfjs `predict` on the loaded backend, output read back.
 */
export const latencySchema = z.object({
  /** tfjs backend that ran inference, e.g. `tensorflow`. */
  backend: z.string(),
  backendPackage: z.string(),
  device: deviceSchema,
  /** Untimed runs before timing, and timed runs per batch size. */
  warmup: z.number().int().min(0),
  runs: z.number().int().min(1),
  imageSize: z.number().int().min(1),
  /** Batch 1 first (the figure a latency reward uses), then the spec's batch. */
  batches: z.array(batchLatencySchema).min(1),
  /** Who measured: the trainer after training, or the separate latency step (spec latency.device pool). Absent in older results: the trainer. */
  measuredBy: z.enum(['trainer', 'latency-step']).optional(),
  /** Host name of the machine or pod that measured. */
  host: z.string().optional(),
});
export type Latency = z.infer<typeof latencySchema>;

/** The single-image median latency (ms) a latency reward uses, when measured. */
export function singleImageLatencyMs(latency: Latency | undefined): number | undefined {
  return latency?.batches.find((b) => b.batch === 1)?.medianMs;
}

export const trainedResultSchema = z.object({
  schemaVersion: z.literal(TRIAL_RESULT_VERSION),
  kind: z.literal('trained'),
  trialId: z.string().optional(),
  space: z.string(),
  /** Hash of the training-relevant spec fields; a rerun with the same hash returns this result. */
  trainingHash: z.string(),
  valAccuracy: fraction,
  valLoss: z.number(),
  /** Present when the dataset has a test split. */
  testAccuracy: fraction.optional(),
  epochs: z.array(epochRecordSchema).min(1),
  /** Mean training loss of the last epoch (the figure compared across resumed runs). */
  finalTrainLoss: z.number(),
  params: z.number().int().min(0),
  multAdds: z.number().min(0).optional(),
  steps: z.number().int().min(0),
  /** Wall time of this process (a resumed run counts only its own time). */
  wallSeconds: z.number().min(0),
  /** Mean training throughput over the epochs this process ran. */
  imagesPerSecond: z.number().min(0),
  /** tfjs backend that trained the model, e.g. `tensorflow` (tfjs-node), `cpu` (pure JS). */
  backend: z.string(),
  /** Which backend selector entry loaded: `tfjs-node` (native) or `cpu` (pure JS). */
  backendPackage: z.string(),
  /**
   * The device it trained on: `{kind: "gpu", count, models, driver?}` or `{kind: "cpu", reason}`.
   * Optional so that results written before it was recorded still parse.
   */
  device: deviceSchema.optional(),
  /** The checkpoint this run resumed from, or null when it started from scratch. */
  resumedFrom: z.object({ step: z.number().int(), epoch: z.number().int(), key: z.string() }).nullable(),
  /** Measured inference latency; optional so that results written before it was measured still parse. */
  latency: latencySchema.optional(),
  trainSamples: z.number().int(),
  valSamples: z.number().int(),
  imageSize: z.number().int(),
  seed: z.number().int(),
});

export type TrainedResult = z.infer<typeof trainedResultSchema>;
export type EpochRecord = z.infer<typeof epochRecordSchema>;

/** A trial answered from a tabular benchmark (NAS-Bench-201), paced to its simulated training time. */
export const benchmarkResultSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('benchmark'),
  /** The table that answered, e.g. `cifar10`. */
  benchmark: z.string(),
  valAccuracy: fraction,
  testAccuracy: fraction,
  /** The cost the search constrains (MFLOPs, M params, or ms on the spec's latency device), when it constrains one. */
  cost: z.number().min(0).optional(),
  /** The table's training time of this cell. */
  simulatedSeconds: z.number().min(0),
  /** When the paced answer is due (ms since the epoch); the benchmark launcher reports the trial running until then. */
  readyAtMs: z.number(),
});
export type BenchmarkResult = z.infer<typeof benchmarkResultSchema>;

/** A PONAS supernet stage: meta-training, or one progressive row of the accuracy table. */
export const supernetResultSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('ponas-supernet'),
  trialId: z.string().optional(),
  phase: z.enum(['meta', 'progressive']),
  trainingHash: z.string(),
  steps: z.number().int(),
  /** Mean training loss over every `checkpointEverySteps` window, in order. */
  lossCurve: z.array(z.number()),
  /** Mean validation accuracy of the evaluated paths (random paths for meta; the row's mean for progressive). */
  valAccuracy: fraction,
  row: z
    .object({ layer: z.number().int(), accuracies: z.array(z.object({ slot: z.number().int(), candidate: z.number().int(), accuracy: z.number() })) })
    .optional(),
  backend: z.string(),
  backendPackage: z.string(),
  device: deviceSchema.optional(),
  resumedFrom: z.object({ step: z.number().int(), key: z.string() }).nullable(),
  wallSeconds: z.number(),
  imagesPerSecond: z.number(),
});
export type SupernetResult = z.infer<typeof supernetResultSchema>;

/** Every `result.json`. */
export const trialResultSchema = z.discriminatedUnion('kind', [trainedResultSchema, benchmarkResultSchema, supernetResultSchema]);
export type TrialResult = z.infer<typeof trialResultSchema>;

/** A result's accuracy in the search's unit (percent, 4 decimals). */
export function searchAccuracy(fraction: number): number {
  return Math.round(fraction * 100 * 10_000) / 10_000;
}

/**
 * The cost a trained trial reports for the metric a search constrains: the measured single-image
 * latency (ms), or the analytic cost in the spec's units — FLOPs as millions of multiply-adds (what
 * MnasNet and the NAS papers call FLOPs) and params in millions.
 */
export function trainedCost(result: TrainedResult, metric: 'latency' | 'flops' | 'params' | undefined): number | undefined {
  if (metric === 'latency') return singleImageLatencyMs(result.latency);
  if (metric === 'flops') return result.multAdds === undefined ? undefined : result.multAdds / 1e6;
  if (metric === 'params') return result.params / 1e6;
  return undefined;
}

/** The training time a result stands for: simulated for a benchmark answer, measured otherwise. */
export function trialSeconds(result: TrialResult): number {
  return result.kind === 'benchmark' ? result.simulatedSeconds : result.wallSeconds;
}

/**
 * `logs/attempt-<n>.json`: when and where one attempt of a trial ran and how it ended, written by
 * the search's await activity when the attempt exits (activities/search.activities.ts), for every
 * outcome: a failed attempt leaves no result.json, so this record is the only trace of a retry.
 * Read by `search report`'s timeline. Times are ms since the epoch on the worker's clock:
 * `startedAtMs` is when the search began waiting on the attempt (right after its launch), so it
 * includes queueing in the runtime; `endedAtMs` is when the search saw the exit (within one poll
 * interval). Searches made before these records have none; every reader treats them as optional.
 */
export const attemptRecordSchema = z.object({
  schemaVersion: z.literal(1),
  attempt: z.number().int().min(1),
  /** `succeeded`; `user` and `infra` failures as the search classified them; `cancelled` by the search. */
  outcome: z.enum(['succeeded', 'user', 'infra', 'cancelled']),
  exitCode: z.number().int().optional(),
  /** Why it failed, as the search reported it (shortened). */
  reason: z.string().optional(),
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  /** The worker process's host that awaited the attempt (the trial's own machine for local trials). */
  worker: z.string(),
  /** Where the trial process ran, when the launcher knows it (local: this machine). */
  host: z.string().optional(),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;
