/** create/restore of regularized evolution (loaded by the registry; see ./definition.ts). */
import type { AlgorithmImplementation } from '../definition.js';
import { RegularizedEvolution, type EvolutionArgs } from './evolution.js';

export const implementation: AlgorithmImplementation<EvolutionArgs> = {
  create: (space, seed, args) => RegularizedEvolution.create(space, seed, args),
  restore: (space, state) => RegularizedEvolution.restore(space, state),
};
