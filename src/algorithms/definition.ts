/**
 * One definition per search method: its registry name, the spec member that chooses it, its
 * settings (a strict zod schema whose defaults and `.describe()` texts become the CLI's defaults,
 * the CRD's schema and `kubectl explain`), the lines of the docs table, and how the algorithm is
 * created from those settings or restored from its stored state (its implementation module).
 * src/algorithms/catalog.ts lists the definitions; the spec's algorithm one-of, the CRD, the docs
 * table and the registry's create/restore derive from that list, so adding a method is one folder
 * plus one catalog line.
 *
 * Pure: zod and types only.
 */
import type { z } from 'zod';
import type { SearchSpace } from '../space/types.js';
import type { AlgorithmState, SearchAlgorithm } from './types.js';

/** What the search knows besides the settings when it creates the algorithm. */
export interface SearchContext {
  /** The spec's space name. */
  space: string;
  /** Per-layer candidate costs from the space's cost model (`costs[layer][candidate]`), where it has one (space ponas). */
  costs?: number[][];
  /** An accuracy table the search measured itself (`table[layer][candidate]`, PONAS's one-shot supernet). */
  table?: (number | null)[][];
}

export interface AlgorithmDefinition<K extends string = string, S extends z.ZodType = z.ZodType, A = unknown> {
  /** Registry name: in the stored state, status.algorithm and the NasAlgorithm search attribute. */
  readonly name: string;
  /** Member of the spec's algorithm one-of (`algorithm: {<specKey>: settings}`). */
  readonly specKey: K;
  /** Docs table: the method in a few words, and the paper it follows. */
  readonly method: string;
  readonly reference: string;
  /** The spec's settings: strict, with defaults and a description on every field. */
  readonly settings: S;
  /** The algorithm's own arguments from validated settings and the search's context. */
  argsFrom(settings: z.output<S>, context: SearchContext): A;
  /**
   * The implementation module (create/restore). Loaded by src/algorithms/registry.ts, never by the
   * spec: the spec, the CRD and the CLI's validation stay free of TensorFlow.js.
   */
  load(): Promise<AlgorithmImplementation<A>>;
}

export interface AlgorithmImplementation<A = unknown> {
  create<G>(space: SearchSpace<G>, seed: number, args: A | undefined): SearchAlgorithm<G>;
  restore<G>(space: SearchSpace<G>, state: AlgorithmState): SearchAlgorithm<G>;
}

/** Keeps the literal spec key and the settings type (so the spec's type names every member). */
export function defineAlgorithm<const K extends string, S extends z.ZodType, A>(d: AlgorithmDefinition<K, S, A>): AlgorithmDefinition<K, S, A> {
  return d;
}
