/**
 * create/restore of every search method in the catalog (src/algorithms/catalog.ts, the one list of
 * methods). Importing this module loads every implementation (TensorFlow.js included, for the
 * controller and the PNAS surrogates); the spec and the CRD import only the catalog.
 */
import type { SearchSpace } from '../space/types.js';
import { AlgorithmError, type AlgorithmState, type SearchAlgorithm } from './types.js';
import type { AlgorithmDefinition, AlgorithmImplementation } from './definition.js';
import { ALGORITHMS } from './catalog.js';

export { ALGORITHMS, ALGORITHM_NAMES } from './catalog.js';
export { NASNET_RL, MNASNET_RL } from './rl/definitions.js';

/** Each algorithm's own arguments, by registry name (tests and benches build algorithms without a spec). */
export type AlgorithmArgs = Readonly<Record<string, unknown>>;

/** create/restore over a list of definitions (the built-in list, or a test's list with a toy method). */
export interface AlgorithmRegistry {
  readonly definitions: readonly AlgorithmDefinition[];
  byName(name: string, field?: string): AlgorithmDefinition & AlgorithmImplementation;
  create<G>(name: string, space: SearchSpace<G>, seed: number, args?: AlgorithmArgs): SearchAlgorithm<G>;
  restore<G>(space: SearchSpace<G>, state: AlgorithmState): SearchAlgorithm<G>;
}

/** Loads the implementations of `definitions` (a test's list may add a toy method). */
export async function algorithmRegistry(definitions: readonly AlgorithmDefinition[]): Promise<AlgorithmRegistry> {
  const names = definitions.map((d) => d.name);
  const keys = definitions.map((d) => d.specKey);
  for (const list of [names, keys]) {
    const dup = list.find((n, i) => list.indexOf(n) !== i);
    if (dup) throw new Error(`algorithm ${JSON.stringify(dup)} is registered twice`);
  }
  const loaded = await Promise.all(definitions.map(async (d) => ({ ...d, ...(await d.load()) })));
  const byName = (name: string, field = 'algorithm'): AlgorithmDefinition & AlgorithmImplementation => {
    const d = loaded.find((x) => x.name === name);
    if (!d) throw new AlgorithmError(field, `expected one of ${names.join(', ')}; received ${JSON.stringify(name)}`);
    return d;
  };
  return {
    definitions,
    byName,
    create: (name, space, seed, args = {}) => byName(name).create(space, seed, args[name]),
    restore: (space, state) => byName(state.algorithm, 'state.algorithm').restore(space, state),
  };
}

/** The built-in methods, loaded once when this module is first imported. */
export const REGISTRY = await algorithmRegistry(ALGORITHMS);

export function createAlgorithm<G>(name: string, space: SearchSpace<G>, seed: number, args: AlgorithmArgs = {}): SearchAlgorithm<G> {
  return REGISTRY.create(name, space, seed, args);
}

export function restoreAlgorithm<G>(space: SearchSpace<G>, state: AlgorithmState): SearchAlgorithm<G> {
  return REGISTRY.restore(space, state);
}
