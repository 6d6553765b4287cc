/**
 * The ask/tell contract every search algorithm implements (docs/style.md principle 3; the shape follows
 * optuna's BaseSampler and kubeflow's pure Suggestion service).
 *
 * Lifecycle:
 *   1. The caller allocates trial ids (deterministically, from search id, round and index; see
 *      `trialIdsFor`) and calls `propose(ids)`. The algorithm returns proposals for a prefix of
 *      those ids — possibly fewer than asked (a PNAS beam waiting for its results, an exhausted
 *      space), possibly none. Ids it did not use may be offered again later.
 *   2. Trials run anywhere, in any order. The caller reports each finished trial once through
 *      `observe(results)`, in batches of any size and any order.
 *   3. At any point `state()` returns everything needed to continue; `restore(space, state)` (on
 *      the algorithm's module) continues with exactly the proposals an uninterrupted run makes.
 *
 * MUST: proposals are valid genotypes of the space, unique by canonical hash across the whole
 * search (failed and running trials included), and a pure function of (state, ids).
 * MUST: `state()` survives JSON.stringify/JSON.parse unchanged; learned weights travel as base64 in
 * `weights` so the bits are exact.
 * MUST: failed trials are counted (`counts.failed`) and never proposed again.
 * MAY: an algorithm ignores metrics it does not use (cost for accuracy-only searches).
 */
import type { RngState } from '../common/rng.js';

/** One suggestion: the genotype to train under an id the caller allocated. */
export interface Proposal<G> {
  readonly trialId: string;
  readonly genotype: G;
  /** Canonical hash (space.hash) used for deduplication. */
  readonly hash: string;
}

/** A finished trial. `accuracy` is the search signal (e.g. validation accuracy in percent). */
export interface TrialResult {
  readonly trialId: string;
  readonly status: 'succeeded' | 'failed';
  /** Search signal; required when status is `succeeded`. */
  readonly accuracy?: number;
  /** Cost of the architecture (latency in ms, mult-adds...) for cost-aware rewards. */
  readonly cost?: number;
}

export interface TrialCounts {
  proposed: number;
  succeeded: number;
  failed: number;
}

/** Serialised algorithm: plain JSON plus an optional base64 blob of float32 weights. */
export interface AlgorithmState {
  /** Registry name of the algorithm that wrote the state. */
  readonly algorithm: string;
  /** Name of the search space the genotypes belong to. */
  readonly space: string;
  readonly version: 1;
  readonly counts: TrialCounts;
  readonly rng: RngState;
  /** Algorithm-specific JSON. */
  readonly data: unknown;
  /** Learned parameters (controller, surrogate, optimizer moments), little-endian float32, base64. */
  readonly weights?: string;
}

export interface SearchAlgorithm<G> {
  readonly name: string;
  propose(trialIds: readonly string[]): Proposal<G>[];
  observe(results: readonly TrialResult[]): void;
  state(): AlgorithmState;
  /** Trials proposed and not yet observed. */
  pending(): string[];
  /** Best finished trial by the search's own signal (accuracy or reward), if any. */
  best(): { trialId: string; genotype: G; score: number } | undefined;
}

/** Deterministic trial ids `<searchId>/<round>/<index>` (docs/design.md contract). */
export function trialIdsFor(searchId: string, round: number, count: number, start = 0): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(`${searchId}/${round}/${start + i}`);
  return ids;
}

export class AlgorithmError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'AlgorithmError';
  }
}

export function isAlgorithmError(err: unknown): err is AlgorithmError {
  return err instanceof Error && err.name === 'AlgorithmError';
}
