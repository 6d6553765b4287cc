/**
 * Benchmark evaluators answer a trial from a table instead of training (the tabular-benchmark
 * protocol of NAS-Bench-201, Dong & Yang 2020, Sec. 5): the search sees `accuracy` (12-epoch
 * validation accuracy) and optionally `cost`; reports use `test` (200-epoch test accuracy).
 * `seconds` is a simulated training time so asynchronous workers can be replayed on a clock.
 */
import { at } from '../common/indexing.js';
import { nb201Space, toArchString, type Nb201Genotype } from '../space/nb201.js';
import type { Nb201Row, Nb201Table } from './nb201-table.js';

export interface Evaluation {
  /** The search signal (percent). */
  readonly accuracy: number;
  /** Reported accuracy (percent); never shown to the search. */
  readonly test: number;
  readonly cost?: number;
  /** Simulated training seconds. */
  readonly seconds: number;
}

export interface Evaluator<G> {
  evaluate(genotype: G): Evaluation;
}

export type Nb201Cost = 'none' | 'flops' | 'params' | 'latency';

export interface Nb201EvaluatorArgs {
  /** Which column becomes the trial's cost. Default: `none`. */
  cost?: Nb201Cost;
  /** Per-architecture latency (ms) by NB201 index, required for cost `latency` (`loadNb201Latency(device)`). */
  latency?: Float64Array;
}

/** The cost column of one row: MFLOPs, M parameters, or the device's latency in ms. */
export function nb201RowCost(row: Nb201Row, cost: Exclude<Nb201Cost, 'none'>, latency?: Float64Array): number {
  if (cost === 'flops') return row.flopsM;
  if (cost === 'params') return row.paramsM;
  if (!latency) throw new Error('nb201 cost latency: no latency column (pass --device, one of the nb201-hwlatency.json devices)');
  return at(latency, row.idx, 'nb201 latency row');
}

export function nb201Evaluator(table: Nb201Table, args: Nb201EvaluatorArgs = {}): Evaluator<Nb201Genotype> {
  const cost = args.cost ?? 'none';
  if (cost === 'latency' && !args.latency) throw new Error('nb201Evaluator: cost latency needs a latency table');
  return {
    evaluate(g: Nb201Genotype): Evaluation {
      const row = table.byArch.get(toArchString(nb201Space.canonical(g)));
      if (!row) throw new Error(`nb201 table: no row for ${toArchString(g)}`);
      const base = { accuracy: row.val12, test: row.test200, seconds: 12 * row.epochSeconds };
      if (cost === 'none') return base;
      return { ...base, cost: nb201RowCost(row, cost, args.latency) };
    },
  };
}
