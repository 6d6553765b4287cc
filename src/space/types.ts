/**
 * The contract every search space implements. A genotype is plain data (it survives
 * JSON.stringify/parse unchanged); a space knows how to validate, canonicalise, hash, sample,
 * mutate and encode it as the decision sequence an RL controller emits.
 *
 * Pure: no I/O, no Temporal, no Kubernetes, no tfjs.
 */
import type { Rng } from '../common/rng.js';

/** One categorical choice in a controller's decision sequence. */
export interface Decision {
  /** What is being decided, e.g. `normal.block2.op1` (for logs and embeddings). */
  readonly name: string;
  /** Decision type shared by decisions that use the same embedding table, e.g. `op` or `input`. */
  readonly kind: string;
  /** Number of choices; the controller's softmax width for this step. */
  readonly choices: number;
  /**
   * Choices at index >= validChoices are invalid at this step (e.g. an input index that refers to
   * a block not yet built). Defaults to `choices`.
   */
  readonly validChoices?: number;
}

export interface SearchSpace<G> {
  /** Registry name, e.g. `nasnet`, `pnas`, `mnasnet`, `ponas`, `nb201`. */
  readonly name: string;
  /** Validates untrusted JSON; throws GenotypeError naming the field and the allowed values. */
  parse(json: unknown): G;
  /** Plain JSON form (parse(serialize(g)) equals g). */
  serialize(genotype: G): unknown;
  /** Canonical form: equivalent genotypes (as the space defines equivalence) become equal. */
  canonical(genotype: G): G;
  /** Stable hash of the canonical form; equivalent genotypes hash equal. */
  hash(genotype: G): string;
  /** Compact one-line form for logs and the CLI. */
  describe(genotype: G): string;
  /** Uniform sample over the space. */
  sample(rng: Rng): G;
  /** A valid neighbour differing in one decision (never returns an identical genotype). */
  mutate(genotype: G, rng: Rng): G;
  /** Number of distinct genotypes (before canonical deduplication). */
  size(): bigint;
  /** The controller's decision sequence layout (same for every genotype of the space). */
  decisions(): readonly Decision[];
  encode(genotype: G): number[];
  decode(sequence: readonly number[]): G;
}

/** A genotype that failed validation; `field` is a JSON path such as `normal.blocks[2].op1`. */
export class GenotypeError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'GenotypeError';
  }
}

export function isGenotypeError(err: unknown): err is GenotypeError {
  return err instanceof Error && err.name === 'GenotypeError';
}
