/** create/restore of random search (loaded by the registry; see ./definition.ts). */
import type { AlgorithmImplementation } from '../definition.js';
import { RandomSearch } from './random.js';

export const implementation: AlgorithmImplementation<undefined> = {
  create: (space, seed) => RandomSearch.create(space, seed),
  restore: (space, state) => RandomSearch.restore(space, state),
};
