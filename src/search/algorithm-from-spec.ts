/** Maps the spec's algorithm one-of onto the algorithm registry (names and argument shapes). */
import { createAlgorithm, type AlgorithmArgs } from '../algorithms/registry.js';
import type { SearchAlgorithm } from '../algorithms/types.js';
import { HARD_CONSTRAINT, SOFT_CONSTRAINT } from '../algorithms/rl/reward.js';
import type { SearchSpace } from '../space/types.js';
import { getSpace } from '../space/index.js';
import { pnasProgressiveSpace } from '../algorithms/pnas/pnas-progression.js';
import { chosenAlgorithm, type SearchSpec } from '../api/search-spec.js';
import { ponasCostTableFor } from './ponas-costs.js';

const REGISTRY_NAMES = {
  random: 'random',
  evolution: 'regularized-evolution',
  nasnetRL: 'nasnet-rl',
  mnasnetRL: 'mnasnet-rl',
  pnas: 'pnas',
  ponas: 'ponas',
} as const;

export function algorithmName(spec: SearchSpec): string {
  return REGISTRY_NAMES[chosenAlgorithm(spec)[0]];
}

/** Arguments measured by the search itself rather than written in the spec (PONAS's one-shot table). */
export interface MeasuredArgs {
  ponas?: { table: (number | null)[][] };
}

export function algorithmArgs(spec: SearchSpec, extra: MeasuredArgs = {}): AlgorithmArgs {
  const [key, settings] = chosenAlgorithm(spec);
  switch (key) {
    case 'evolution':
      return { 'regularized-evolution': settings };
    case 'nasnetRL':
      return { 'nasnet-rl': settings };
    case 'mnasnetRL': {
      const { cost, ...controller } = settings as { cost: { target: number; constraint: 'soft' | 'hard' } };
      const exps = cost.constraint === 'hard' ? HARD_CONSTRAINT : SOFT_CONSTRAINT;
      return { 'mnasnet-rl': { ...controller, reward: { kind: 'mnasnet', target: cost.target, ...exps } } };
    }
    case 'pnas': {
      const s = settings as { beam?: number; surrogate?: 'lstm' | 'mlp-ensemble' };
      return { pnas: { ...(s.beam ? { beam: s.beam } : {}), ...(s.surrogate ? { surrogate: { kind: s.surrogate } } : {}) } };
    }
    case 'ponas': {
      const s = settings as { budget?: number };
      // Costs exist for the ponas space only (the spec rejects a budget elsewhere).
      const costs = spec.space === 'ponas' ? ponasCostTableFor(spec).costs : undefined;
      return { ponas: { ...(s.budget !== undefined ? { budget: s.budget } : {}), ...(costs ? { costs } : {}), ...extra.ponas } };
    }
    default:
      return {};
  }
}

/** Which cost column a trial reports, when the algorithm needs one. */
export function costMetric(spec: SearchSpec): 'latency' | 'flops' | 'params' | undefined {
  return spec.algorithm.mnasnetRL?.cost.metric;
}

export function createFromSpec<G>(spec: SearchSpec, space: SearchSpace<G>, extra: MeasuredArgs = {}): SearchAlgorithm<G> {
  return createAlgorithm(algorithmName(spec), space, spec.seed, algorithmArgs(spec, extra));
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
