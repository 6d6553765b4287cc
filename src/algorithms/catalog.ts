/**
 * Every search method, one definition each (src/algorithms/definition.ts): the one place a method
 * is registered. The spec's algorithm one-of (src/api/search-spec.ts), the CRD (src/kube/crd.ts),
 * the docs table (docs/search.md) and the registry's create/restore (./registry.ts) derive from
 * this list. Adding a method: its folder with a definition, and one line here; the conformance
 * suite fails for a method without a case (test/conformance/registry-coverage.test.ts).
 *
 * Light: definitions hold settings schemas and a loader, never the implementations.
 */
import { randomAlgorithm } from './random/definition.js';
import { evolutionAlgorithm } from './evolution/definition.js';
import { mnasnetRlAlgorithm, nasnetRlAlgorithm } from './rl/definitions.js';
import { pnasAlgorithm } from './pnas/definition.js';
import { ponasAlgorithm } from './ponas/definition.js';

export const ALGORITHMS = [randomAlgorithm, evolutionAlgorithm, nasnetRlAlgorithm, mnasnetRlAlgorithm, pnasAlgorithm, ponasAlgorithm] as const;

export const ALGORITHM_NAMES: readonly string[] = ALGORITHMS.map((a) => a.name);
