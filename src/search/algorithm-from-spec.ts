/** Maps the spec's algorithm one-of onto the algorithm registry (src/algorithms/registry.ts). */
import { REGISTRY } from '../algorithms/registry.js';
import type { AlgorithmDefinition, AlgorithmImplementation, SearchContext } from '../algorithms/definition.js';
import type { SearchAlgorithm } from '../algorithms/types.js';
import type { SearchSpace } from '../space/types.js';
import { getSpace } from '../space/index.js';
import { pnasProgressiveSpace } from '../algorithms/pnas/pnas-progression.js';
import { chosenAlgorithm, type SearchSpec } from '../api/search-spec.js';
import { ponasCostTableFor } from './ponas-costs.js';

function definitionOf(spec: SearchSpec): [AlgorithmDefinition & AlgorithmImplementation, Record<string, unknown>] {
  const [key, settings] = chosenAlgorithm(spec);
  const d = REGISTRY.definitions.find((x) => x.specKey === key);
  if (!d) throw new Error(`algorithm.${key} has no registered definition`);
  return [REGISTRY.byName(d.name), settings];
}

export function algorithmName(spec: SearchSpec): string {
  return definitionOf(spec)[0].name;
}

/** Arguments measured by the search itself rather than written in the spec (PONAS's one-shot table). */
export interface MeasuredArgs {
  ponas?: { table: (number | null)[][] };
}

/** What the search knows besides the settings: costs come from the space's cost model where it has one. */
function contextOf(spec: SearchSpec, extra: MeasuredArgs): SearchContext {
  // Per-layer candidate costs exist for the ponas space only (the spec rejects a budget elsewhere).
  const costs = spec.space === 'ponas' && spec.algorithm.ponas ? ponasCostTableFor(spec).costs : undefined;
  return { space: spec.space, ...(costs ? { costs } : {}), ...(extra.ponas ? { table: extra.ponas.table } : {}) };
}

/** Which cost column a trial reports, when the algorithm needs one. */
export function costMetric(spec: SearchSpec): 'latency' | 'flops' | 'params' | undefined {
  return spec.algorithm.mnasnetRL?.cost.metric;
}

export function createFromSpec<G>(spec: SearchSpec, space: SearchSpace<G>, extra: MeasuredArgs = {}): SearchAlgorithm<G> {
  const [d, settings] = definitionOf(spec);
  return d.create(space, spec.seed, d.argsFrom(settings, contextOf(spec, extra)));
}

/**
 * The space an algorithm searches for this spec. PNAS on the pnas space searches progressively
 * (1-block cells, then one block more per round), which needs the progressive view of the space;
 * its 5-block cells hash and serialise exactly as the plain space's.
 */
export function spaceFor(spec: SearchSpec): SearchSpace<unknown> {
  if (spec.space === 'pnas' && spec.algorithm.pnas) return pnasProgressiveSpace() as SearchSpace<unknown>;
  return getSpace(spec.space);
}
