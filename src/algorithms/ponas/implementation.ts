/** create/restore of PONAS (loaded by the registry; see ./definition.ts). */
import type { AlgorithmImplementation } from '../definition.js';
import { PonasSearch, type PonasArgs } from './ponas-search.js';

export const implementation: AlgorithmImplementation<PonasArgs> = {
  create: (space, seed, args) => PonasSearch.create(space, seed, args),
  restore: (space, state) => PonasSearch.restore(space, state),
};
