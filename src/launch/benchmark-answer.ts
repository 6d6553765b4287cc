/**
 * One benchmark trial answered from the table and written as result.json: shared by the inline
 * benchmark launcher and the `nasflow bench trial` process.
 */
import { nb201Evaluator, type Nb201Cost } from '../bench/evaluator.js';
import { loadNb201, loadNb201Latency, type Nb201Benchmark, type Nb201Table } from '../bench/nb201-table.js';
import type { Nb201Genotype } from '../space/nb201.js';
import { getSpace } from '../space/index.js';
import type { SearchSpec } from '../api/search-spec.js';
import type { BenchmarkResult } from '../api/trial-result.js';

const tables = new Map<string, Nb201Table>();

function table(name: Nb201Benchmark): Nb201Table {
  let t = tables.get(name);
  if (!t) {
    t = loadNb201(name);
    tables.set(name, t);
  }
  return t;
}

/** The result.json of a benchmark trial, less when it is due, and how long it takes under the spec's pace. */
export type BenchmarkAnswer = Omit<BenchmarkResult, 'readyAtMs'> & {
  /** Wall milliseconds the answer takes under the spec's pace. */
  delayMs: number;
};

export function answerTrial(spec: Pick<SearchSpec, 'evaluator' | 'algorithm'>, genotypeJson: unknown): BenchmarkAnswer {
  const genotype = getSpace('nb201').parse(genotypeJson) as Nb201Genotype;
  const target = spec.algorithm.mnasnetRL?.cost;
  const cost: Nb201Cost = target?.metric ?? 'none';
  // The spec rules require a device with metric latency on the benchmark evaluator.
  const latency = target?.metric === 'latency' ? loadNb201Latency(target.device!) : undefined;
  const evaluation = nb201Evaluator(table(spec.evaluator.benchmark!), { cost, latency }).evaluate(genotype);
  return {
    schemaVersion: 1,
    kind: 'benchmark',
    benchmark: spec.evaluator.benchmark!,
    valAccuracy: evaluation.accuracy / 100,
    testAccuracy: evaluation.test / 100,
    ...(evaluation.cost !== undefined ? { cost: evaluation.cost } : {}),
    simulatedSeconds: evaluation.seconds,
    delayMs: Math.round(evaluation.seconds * (spec.evaluator.secondsPerSimulatedHour / 3600) * 1000),
  };
}
