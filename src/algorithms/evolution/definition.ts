/** Regularized evolution as a registry entry (src/algorithms/definition.ts). */
import { z } from 'zod';
import { defineAlgorithm } from '../definition.js';
import type { EvolutionArgs } from './evolution.js';
import { EVOLUTION } from './evolution.js';

const settings = z
  .object({
    population: z.number().int().min(2).max(10_000).optional().describe('Population size P. Default: 20.'),
    sample: z.number().int().min(1).max(10_000).optional().describe('Tournament sample size S. Default: 5.'),
  })
  .strict()
  .describe('Regularized evolution (AmoebaNet, Real et al. 2019): tournament selection, mutation, oldest removed.');

export const evolutionAlgorithm = defineAlgorithm({
  name: EVOLUTION,
  specKey: 'evolution',
  method: 'tournament selection, one mutation, the oldest dies (AmoebaNet)',
  reference: 'Real et al. 2019',
  settings,
  argsFrom: (s): EvolutionArgs => s,
  load: async () => (await import('./implementation.js')).implementation,
});
