/** create/restore of the two controller searches (loaded by the registry; see ./definitions.ts). */
import { AlgorithmError } from '../types.js';
import type { AlgorithmImplementation } from '../definition.js';
import { ControllerSearch } from './controller-search.js';
import type { ControllerArgs } from './controller-args.js';
import { MNASNET_RL, NASNET_RL } from './definitions.js';

export const nasnetRl: AlgorithmImplementation<ControllerArgs> = {
  create: (space, seed, args) => ControllerSearch.create(NASNET_RL, space, seed, args),
  restore: (space, state) => ControllerSearch.restore(NASNET_RL, space, state),
};

export const mnasnetRl: AlgorithmImplementation<ControllerArgs> = {
  create: (space, seed, args) => {
    if (args?.reward?.kind !== 'mnasnet') throw new AlgorithmError('mnasnet-rl.reward', 'expected {kind: "mnasnet", target, alpha?, beta?}; received none');
    return ControllerSearch.create(MNASNET_RL, space, seed, args);
  },
  restore: (space, state) => ControllerSearch.restore(MNASNET_RL, space, state),
};
