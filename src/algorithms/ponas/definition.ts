/** PONAS as a registry entry (src/algorithms/definition.ts), with its one-shot supernet settings. */
import { z } from 'zod';
import { recipeOverridesSchema } from '../../api/recipe.js';
import { defineAlgorithm } from '../definition.js';
import type { PonasArgs } from './ponas-search.js';

export const PONAS = 'ponas';

/**
 * PONAS one-shot stages (Huang & Chu 2020): meta-train a supernet, fill the accuracy table one
 * layer per trial with progressive fine-tuning, then train the selected networks as child trials.
 */
export const ponasSupernetSchema = z
  .object({
    widthMultiplier: z.number().gt(0).max(2).default(0.25).describe('Channel width multiplier of the supernet. Default: 0.25.'),
    layers: z
      .number()
      .int()
      .min(1)
      .max(19)
      .default(19)
      .describe('Searchable layers the supernet holds (the first ones of 19); the others keep a seeded reference choice. Default: 19.'),
    candidates: z
      .array(z.number().int().min(0).max(11))
      .min(2)
      .max(12)
      .optional()
      .describe('Candidate block indices 0-11 (expansion 3/6 x kernel 3/5/7 x SE off/on) every layer holds. Default: all 12.'),
    stemStride: z.number().int().min(1).max(2).default(1).describe('Stride of the supernet stem: 1 for CIFAR-size inputs, 2 at 224 px. Default: 1.'),
    metaTrial: recipeOverridesSchema.default({}).describe('Training recipe fields for meta-training that differ from spec.trial (e.g. epochs). Default: none.'),
    fineTuneSteps: z.number().int().min(0).max(1_000_000).default(20).describe('Fine-tuning steps of each progressive (table-row) trial. Default: 20.'),
    evalPaths: z.number().int().min(1).max(64).default(2).describe('Random completions of the later layers averaged per table entry. Default: 2.'),
  })
  .strict()
  .describe(
    'The one-shot supernet (space ponas, evaluator train): meta-training, one progressive trial per table row, then the selection trains as child trials.',
  );

const settings = z
  .object({
    budget: z
      .number()
      .gt(0)
      .optional()
      .describe("Budget on the chosen network's total cost in the unit of cost.metric (space ponas only). Default: unlimited."),
    cost: z
      .object({
        metric: z
          .enum(['flops', 'params', 'latency'])
          .default('flops')
          .describe('flops (million multiply-adds), params (million parameters) or latency (ms, from cost.latencyTable). Default: flops.'),
        latencyTable: z
          .string()
          .min(1)
          .max(2048)
          .optional()
          .describe(
            'With metric latency (required then): path, file:// or s3:// URI of a latency table of space ponas profiled on the target device (nasflow latency profile --space ponas --image-size N --out FILE); its per-layer candidate latencies are the costs, so budget is in ms. Default: none.',
          ),
        inputSize: z
          .number()
          .int()
          .min(4)
          .max(1024)
          .optional()
          .describe('Input side in pixels the cost is counted at, e.g. 224 for deployment. Default: trial.imageSize.'),
      })
      .strict()
      .optional()
      .describe('How candidate costs are counted for the budget: the analytic cost model (flops, params) or a profiled latency table (latency).'),
    supernet: ponasSupernetSchema.optional(),
  })
  .strict()
  .describe(
    'PONAS (Huang & Chu 2020): fills an accuracy table per layer and candidate, then picks a network for a budget. On space ponas with trained trials the table comes from a one-shot supernet.',
  );

export const ponasAlgorithm = defineAlgorithm({
  name: PONAS,
  specKey: 'ponas',
  method: 'accuracy table per layer and candidate (one-shot supernet, progressive fine-tuning), then a network for any cost budget',
  reference: 'Huang & Chu 2020',
  settings,
  argsFrom: (s, ctx): PonasArgs => ({
    ...(s.budget !== undefined ? { budget: s.budget } : {}),
    ...(ctx.costs ? { costs: ctx.costs } : {}),
    ...(ctx.table ? { table: ctx.table } : {}),
  }),
  load: async () => (await import('./implementation.js')).implementation,
});
