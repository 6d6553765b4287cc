/**
 * PONAS's per-layer cost table from the analytic cost model, or from a profiled latency table
 * (`cost.metric: latency`, ./ponas-latency-costs.ts). In the PONAS skeleton every layer's
 * input and output shapes are fixed, so a network's cost is a constant plus one term per layer
 * that depends only on that layer's candidate: cost(g) = base + sum_l delta[l][g_l]. The table
 * folds `base` into row 0, so that the summed row entries of a genotype equal its whole cost and
 * a budget applies to the network as built.
 */
import { at } from '../common/indexing.js';
import { costOf, DEFAULT_MACROS, type MacroConfig } from '../models/index.js';
import { PONAS_CANDIDATES, PONAS_SKELETON, type PonasLayer } from '../space/ponas.js';
import type { SearchSpec } from '../api/search-spec.js';
import { builderMacro } from '../api/macro.js';
import { ponasLatencyCostsFor } from './ponas-latency-costs.js';

export type PonasCostMetric = 'flops' | 'params' | 'latency';
type AnalyticMetric = Exclude<PonasCostMetric, 'latency'>;

export interface PonasCostTable {
  metric: PonasCostMetric;
  /** Unit of every entry: million multiply-adds, million parameters or milliseconds. */
  unit: 'MFLOPs' | 'M params' | 'ms';
  inputSize: number;
  /** `costs[l][c]`: layer l's share when it takes candidate c (row 0 includes the fixed parts). */
  costs: number[][];
}

/** The child network's macro as trials train it, at the input size the budget is counted at. */
export function ponasCostMacro(spec: SearchSpec): Partial<MacroConfig> {
  const cost = spec.algorithm.ponas?.cost;
  const trialSize = typeof spec.trial.imageSize === 'number' ? spec.trial.imageSize : 32;
  return { ...DEFAULT_MACROS.ponas, ...builderMacro(spec.macro), inputSize: cost?.inputSize ?? trialSize } as Partial<MacroConfig>;
}

export function ponasCostTable(macro: Partial<MacroConfig>, metric: AnalyticMetric): PonasCostTable {
  const measure = (layers: readonly PonasLayer[]): number => {
    const c = costOf('ponas', { layers }, macro);
    return metric === 'flops' ? c.multAdds / 1e6 : c.params / 1e6;
  };
  const first = at(PONAS_CANDIDATES, 0, 'PONAS candidate');
  const baseline = PONAS_SKELETON.map(() => first);
  const whole = measure(baseline);
  const delta = (l: number, c: number, candidate: PonasLayer): number => {
    if (c === 0) return 0;
    const layers = [...baseline];
    layers[l] = candidate;
    return measure(layers) - whole;
  };
  // Every entry is relative to candidate 0 at that layer; row 0 carries the whole baseline network.
  const costs = PONAS_SKELETON.map((_, l) => PONAS_CANDIDATES.map((candidate, c) => (l === 0 ? delta(l, c, candidate) + whole : delta(l, c, candidate))));
  return {
    metric,
    unit: costUnit(metric),
    inputSize: (macro as { inputSize?: number }).inputSize ?? 224,
    costs,
  };
}

export function costUnit(metric: PonasCostMetric): PonasCostTable['unit'] {
  return metric === 'flops' ? 'MFLOPs' : metric === 'params' ? 'M params' : 'ms';
}

/** The spec's cost table; with metric latency it reads the profiled table the spec names (local file or S3). */
export function ponasCostTableFor(spec: SearchSpec): PonasCostTable {
  const cost = spec.algorithm.ponas?.cost;
  if (cost?.metric === 'latency') return ponasLatencyCostsFor(spec);
  return ponasCostTable(ponasCostMacro(spec), cost?.metric ?? 'flops');
}

/** The cost of a choice (candidate index per layer) read from the table. */
export function tableCost(table: PonasCostTable, choice: readonly number[]): number {
  return choice.reduce((sum, c, l) => sum + at(at(table.costs, l, 'cost table layer'), c, `layer ${l} candidate`), 0);
}
