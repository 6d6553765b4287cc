/** create/restore of PNAS (loaded by the registry; see ./definition.ts). */
import type { AlgorithmImplementation } from '../definition.js';
import { PnasSearch, type PnasArgs } from './pnas-search.js';

export const implementation: AlgorithmImplementation<PnasArgs> = {
  create: (space, seed, args) => PnasSearch.create(space, seed, args),
  restore: (space, state) => PnasSearch.restore(space, state),
};
