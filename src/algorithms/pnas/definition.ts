/** Progressive NAS as a registry entry (src/algorithms/definition.ts). */
import { z } from 'zod';
import { defineAlgorithm } from '../definition.js';
import type { PnasArgs } from './pnas-search.js';

export const PNAS = 'pnas';

const settings = z
  .object({
    beam: z.number().int().min(1).max(10_000).optional().describe("Beam width K. Default: 10 (the paper's 256 suits thousands of trials)."),
    surrogate: z.enum(['lstm', 'mlp-ensemble']).optional().describe('Surrogate model predicting accuracy: lstm or mlp-ensemble. Default: mlp-ensemble.'),
  })
  .strict()
  .describe('Progressive NAS (Liu et al. 2018): grows cells one block at a time, keeping the top K predicted by a surrogate.');

export const pnasAlgorithm = defineAlgorithm({
  name: PNAS,
  specKey: 'pnas',
  method: 'progressive SMBO: train, fit a surrogate, expand by one block, keep the top K predicted',
  reference: 'Liu et al. 2018',
  settings,
  argsFrom: (s): PnasArgs => ({ ...(s.beam ? { beam: s.beam } : {}), ...(s.surrogate ? { surrogate: { kind: s.surrogate } } : {}) }),
  load: async () => (await import('./implementation.js')).implementation,
});
