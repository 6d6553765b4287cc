/**
 * Every search method by registry name, behind one create/restore pair. Names are the values of the
 * spec's algorithm union; `restoreAlgorithm` reads the name from the stored state.
 */
import type { SearchSpace } from '../space/types.js';
import { AlgorithmError, type AlgorithmState, type SearchAlgorithm } from './types.js';
import { RandomSearch, RANDOM } from './random/random.js';
import { RegularizedEvolution, EVOLUTION, type EvolutionArgs } from './evolution/evolution.js';
import { ControllerSearch } from './rl/controller-search.js';
import type { ControllerArgs } from './rl/controller-args.js';
import { PnasSearch, PNAS, type PnasArgs } from './pnas/pnas-search.js';
import { PonasSearch, PONAS, type PonasArgs } from './ponas/ponas-search.js';

export const NASNET_RL = 'nasnet-rl';
export const MNASNET_RL = 'mnasnet-rl';

export const ALGORITHM_NAMES = [RANDOM, EVOLUTION, NASNET_RL, MNASNET_RL, PNAS, PONAS] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

export interface AlgorithmArgs {
  [EVOLUTION]?: EvolutionArgs;
  [NASNET_RL]?: ControllerArgs;
  [MNASNET_RL]?: ControllerArgs;
  [PNAS]?: PnasArgs;
  [PONAS]?: PonasArgs;
}

export function createAlgorithm<G>(name: string, space: SearchSpace<G>, seed: number, args: AlgorithmArgs = {}): SearchAlgorithm<G> {
  switch (name) {
    case RANDOM:
      return RandomSearch.create(space, seed);
    case EVOLUTION:
      return RegularizedEvolution.create(space, seed, args[EVOLUTION]);
    case NASNET_RL:
      return ControllerSearch.create(NASNET_RL, space, seed, args[NASNET_RL]);
    case MNASNET_RL: {
      const a = args[MNASNET_RL];
      if (a?.reward?.kind !== 'mnasnet') {
        throw new AlgorithmError('mnasnet-rl.reward', 'expected {kind: "mnasnet", target, alpha?, beta?}; received none');
      }
      return ControllerSearch.create(MNASNET_RL, space, seed, a);
    }
    case PNAS:
      return PnasSearch.create(space, seed, args[PNAS]);
    case PONAS:
      return PonasSearch.create(space, seed, args[PONAS]);
    default:
      throw new AlgorithmError('algorithm', `expected one of ${ALGORITHM_NAMES.join(', ')}; received ${JSON.stringify(name)}`);
  }
}

export function restoreAlgorithm<G>(space: SearchSpace<G>, state: AlgorithmState): SearchAlgorithm<G> {
  switch (state.algorithm) {
    case RANDOM:
      return RandomSearch.restore(space, state);
    case EVOLUTION:
      return RegularizedEvolution.restore(space, state);
    case NASNET_RL:
    case MNASNET_RL:
      return ControllerSearch.restore(state.algorithm, space, state);
    case PNAS:
      return PnasSearch.restore(space, state);
    case PONAS:
      return PonasSearch.restore(space, state);
    default:
      throw new AlgorithmError('state.algorithm', `expected one of ${ALGORITHM_NAMES.join(', ')}; received ${JSON.stringify(state.algorithm)}`);
  }
}
