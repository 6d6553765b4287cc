/**
 * Where and how a trained trial's inference latency is measured (the figure a MnasNet latency
 * reward uses). By default the trainer measures it on the device it trained on, right after
 * training. MnasNet (Tan et al. 2019, Sec. 3) trained on accelerators but measured on phones: with
 * `device: pool` a separate latency step runs after training — a second process on the embedded
 * default, a second Job with its own pod template (the resource's `spec.latency.template`, e.g. a
 * node pool of the deployment hardware) under Kubernetes — and adds the figure to result.json.
 *
 * Pure: imports zod only, so workflow code may import the types.
 */
import { z } from 'zod';

export const LATENCY_DEVICES = ['trainer', 'pool'] as const;

export const latencySettingsSchema = z
  .object({
    device: z
      .enum(LATENCY_DEVICES)
      .default('trainer')
      .describe(
        'trainer: the trainer measures latency on the device it trained on; pool: a separate latency step measures it after training (its own process, or its own pod from spec.latency.template under Kubernetes). Default: trainer.',
      ),
    warmup: z.number().int().min(0).max(1000).default(5).describe('Untimed inference runs before timing. Default: 5.'),
    runs: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(30)
      .describe('Timed inference runs per batch size; the median is the figure (see docs/trainer.md for how many make it stable). Default: 30.'),
  })
  .strict()
  .describe('Where and how each trained trial measures its inference latency (batch 1 and trial.batchSize).');

export type LatencySettings = z.infer<typeof latencySettingsSchema>;
