/**
 * PONAS cost rows from a profiled latency table (`algorithm.ponas.cost.metric: latency`): the
 * table's entry `layer<l>=<c>` (src/algorithms/rl/latency-table.ts) is layer l's latency with
 * candidate c, and `base` (stem, fixed first layer, head, one call overhead) is folded into row 0
 * as the analytic table folds its fixed parts, so a genotype's row entries sum to the predicted
 * latency of the whole network and `budget` is in ms.
 */
import { LatencyTableError, type LatencyTableFile } from '../api/latency-table.js';
import { SpecError, type SearchSpec } from '../api/search-spec.js';
import { PONAS_CANDIDATES, PONAS_SKELETON } from '../space/ponas.js';
import { readLatencyTableSync } from '../latency/table-source.js';
import type { PonasCostTable } from './ponas-costs.js';

export const LATENCY_TABLE_FIELD = 'algorithm.ponas.cost.latencyTable';

/**
 * Cost rows from a table; `inputSize` is the size the spec counts costs at (a table measured at
 * another size prices another network). Errors name the spec field and the fix.
 */
export function ponasLatencyCosts(table: LatencyTableFile, inputSize: number, field = LATENCY_TABLE_FIELD): PonasCostTable {
  const reprofile = `nasflow latency profile --space ponas --image-size ${inputSize} --out FILE`;
  if (table.space !== 'ponas') {
    throw new LatencyTableError(field, `the table prices space ${table.space}, not ponas; profile the ponas space: ${reprofile}`);
  }
  if (table.imageSize !== inputSize) {
    throw new LatencyTableError(
      field,
      `the table was profiled at ${table.imageSize} px but the budget is counted at ${inputSize} px (cost.inputSize, default trial.imageSize); profile again (${reprofile}) or set algorithm.ponas.cost.inputSize: ${table.imageSize}`,
    );
  }
  const costs = PONAS_SKELETON.map((_, l) =>
    PONAS_CANDIDATES.map((_c, c) => {
      const key = `layer${l + 1}=${c}`;
      const v = table.entries[key];
      if (v === undefined)
        throw new LatencyTableError(
          field,
          `the table has no entry ${JSON.stringify(key)} (layer ${l + 1}, candidate ${c}); profile the whole space again: ${reprofile}`,
        );
      return l === 0 ? v + table.base : v;
    }),
  );
  return { metric: 'latency', unit: 'ms', inputSize, costs };
}

/**
 * The spec's latency cost rows. A missing, malformed or mismatched table is a SpecError (the
 * search fails at once, naming the field); a read that failed transiently stays retryable.
 */
export function ponasLatencyCostsFor(spec: SearchSpec): PonasCostTable {
  try {
    return latencyCostsOf(spec);
  } catch (err) {
    if (err instanceof LatencyTableError && !err.transient) throw new SpecError(err.field, err.problem);
    throw err;
  }
}

function latencyCostsOf(spec: SearchSpec): PonasCostTable {
  const cost = spec.algorithm.ponas?.cost;
  const uri = cost?.latencyTable;
  if (uri === undefined) {
    throw new LatencyTableError(
      LATENCY_TABLE_FIELD,
      `required with cost.metric latency; profile a table (nasflow latency profile --space ponas --out FILE) and set the field to its path or URI`,
    );
  }
  const trialSize = typeof spec.trial.imageSize === 'number' ? spec.trial.imageSize : 32;
  return ponasLatencyCosts(readLatencyTableSync(uri, LATENCY_TABLE_FIELD), cost?.inputSize ?? trialSize);
}
