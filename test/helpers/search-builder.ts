/** Fluent builder of search specs for tests: `makeSearch('name').algorithm({random: {}}).trials(20).obj()`. */
import { parseSearchSpec, type SearchSpec, type SearchSpecInput } from '../../src/api/search-spec.js';

export class SearchBuilder {
  private spec: Record<string, unknown>;

  constructor(name: string, storage: string) {
    this.spec = {
      name,
      algorithm: { random: {} },
      space: 'nb201',
      evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10', secondsPerSimulatedHour: 0 },
      budget: { maxTrials: 10, parallelism: 2 },
      storage,
      seed: 1,
    };
  }

  algorithm(a: SearchSpecInput['algorithm']): this {
    this.spec.algorithm = a;
    return this;
  }

  trials(maxTrials: number, parallelism = 2): this {
    this.spec.budget = { ...(this.spec.budget as object), maxTrials, parallelism };
    return this;
  }

  budget(b: Partial<SearchSpecInput['budget']>): this {
    this.spec.budget = { ...(this.spec.budget as object), ...b };
    return this;
  }

  /** Wall seconds each simulated benchmark training hour takes (slows trials down for control tests). */
  pace(secondsPerSimulatedHour: number): this {
    this.spec.evaluator = { ...(this.spec.evaluator as object), secondsPerSimulatedHour };
    return this;
  }

  set(key: string, value: unknown): this {
    this.spec[key] = value;
    return this;
  }

  obj(): SearchSpec {
    return parseSearchSpec(this.spec);
  }
}

export function makeSearch(name: string, storage: string): SearchBuilder {
  return new SearchBuilder(name, storage);
}
