/**
 * Fluent builder of NeuralArchitectureSearch objects for tests (docs/style.md principle 13):
 * `makeResource('name').budget({ parallelism: 2 }).obj()`. Starts from a small valid
 * benchmark-evaluator search; each method changes one thing.
 */
import { API_VERSION, KIND } from '../../../src/api/resource-spec.js';

export interface ResourceObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export class ResourceBuilder {
  private readonly o: ResourceObject;

  constructor(name: string, namespace = 'default') {
    this.o = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace },
      spec: {
        algorithm: { random: {} },
        space: 'nb201',
        evaluator: { type: 'benchmark', benchmark: 'nb201-cifar10' },
        budget: { maxTrials: 10, parallelism: 2 },
        storage: 's3://nasflow/searches',
        seed: 1,
      },
    };
  }

  set(key: string, value: unknown): this {
    this.o.spec[key] = value;
    return this;
  }

  unset(key: string): this {
    delete this.o.spec[key];
    return this;
  }

  budget(b: Record<string, number>): this {
    this.o.spec.budget = { ...(this.o.spec.budget as object), ...b };
    return this;
  }

  namespace(ns: string): this {
    this.o.metadata.namespace = ns;
    return this;
  }

  obj(): ResourceObject {
    return structuredClone(this.o);
  }
}

export function makeResource(name: string, namespace?: string): ResourceBuilder {
  return new ResourceBuilder(name, namespace);
}
