/**
 * The trial result, written as `result.json` (last, atomically) next to the spec. Versioned;
 * readers parse it with {@link trialResultSchema} so that drift fails loudly.
 */
import { z } from 'zod';
import { deviceSchema } from './device.js';

export const TRIAL_RESULT_VERSION = 1;

export const epochRecordSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: z.number().min(0).max(1),
  valLoss: z.number(),
  valAccuracy: z.number().min(0).max(1),
  /** Learning rate at the epoch's last step. */
  lr: z.number(),
  /** Training images per second in this epoch (excluding evaluation). */
  imagesPerSecond: z.number().min(0),
});

export const trialResultSchema = z.object({
  schemaVersion: z.literal(TRIAL_RESULT_VERSION),
  trialId: z.string().optional(),
  space: z.string(),
  /** Hash of the training-relevant spec fields; a rerun with the same hash returns this result. */
  trainingHash: z.string(),
  valAccuracy: z.number().min(0).max(1),
  valLoss: z.number(),
  /** Present when the dataset has a test split. */
  testAccuracy: z.number().min(0).max(1).optional(),
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
  trainSamples: z.number().int(),
  valSamples: z.number().int(),
  imageSize: z.number().int(),
  seed: z.number().int(),
});

export type TrialResult = z.infer<typeof trialResultSchema>;
export type EpochRecord = z.infer<typeof epochRecordSchema>;
