/** Random search as a registry entry (src/algorithms/definition.ts). */
import { z } from 'zod';
import { defineAlgorithm } from '../definition.js';
import { RANDOM } from './random.js';

export const randomAlgorithm = defineAlgorithm({
  name: RANDOM,
  specKey: 'random',
  method: 'uniform samples, never repeating an architecture (baseline)',
  reference: 'NAS-Bench-201 (Dong & Yang 2020), Sec. 5',
  settings: z.object({}).strict().describe('Uniform random search over the space (baseline). Takes no settings: write `random: {}`.'),
  argsFrom: () => undefined,
  load: async () => (await import('./implementation.js')).implementation,
});
