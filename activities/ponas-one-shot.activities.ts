/**
 * PONAS's one-shot stages (src/search/ponas-one-shot.ts) as activities: write a supernet step's
 * trial spec, record the table row a finished step measured, and seed the PONAS selection with the
 * filled table. The trials themselves run through the same launch/await activities as child trials.
 */
import { createFromSpec, spaceFor } from '../src/search/algorithm-from-spec.js';
import { costUnit, ponasCostTableFor } from '../src/search/ponas-costs.js';
import {
  ACCURACY_TABLE,
  COST_TABLE,
  SELECTION_TABLE,
  oneShotPlan,
  stepSummary,
  supernetTrialId,
  supernetTrialSpec,
  winningSlot,
  withRow,
  type AccuracyTableFile,
  type MeasuredRow,
} from '../src/search/ponas-one-shot.js';
import { PonasSearch } from '../src/algorithms/ponas/ponas-search.js';
import { PONAS_CANDIDATES } from '../src/space/ponas.js';
import { at } from '../src/common/indexing.js';
import type { SearchAlgorithm } from '../src/algorithms/types.js';
import { SpecError, type SearchSpec } from '../src/api/search-spec.js';
import { putJson, type ObjectStore } from '../src/store/object-store.js';
import { tableKey, trialPrefix, trialSpecKey } from '../src/api/store-layout.js';
import { readIfExists } from './algorithm-store.js';
import { saveSnapshot } from '../src/search/state-ledger.js';
import type { SearchActivityDeps } from './search.activities.js';
import { trialSeed } from './trial-seed.js';

/** A stage whose trial finished but left nothing usable: retrying the activity cannot help. */
export class SupernetStageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SupernetStageError';
  }
}

interface SearchRef {
  searchId: string;
  spec: SearchSpec;
}

export interface TableRowSummary {
  layer: number;
  winningSlot: number;
  /** The winner as a block string, e.g. `e6k5se`, and its accuracy in percent. */
  winner: string;
  accuracy: number;
}

export interface SelectionSummary {
  /** The budgeted pick as a genotype summary, its predicted cost and summed table accuracy. */
  summary: string;
  cost: number;
  unit: string;
  frontSize: number;
}

const blockName = (c: number): string => {
  const k = at(PONAS_CANDIDATES, c, 'ponas candidate');
  return `e${k.expansion}k${k.kernel}${k.se ? 'se' : ''}`;
};

/**
 * Checks the budget against the cheapest network the supernet can select (its candidates on the
 * layers it holds, the reference choice elsewhere) and writes the cost table, before any training.
 */
export async function planOneShot(store: ObjectStore, { searchId, spec }: SearchRef, algorithm: SearchAlgorithm<unknown>): Promise<{ layers: number }> {
  if (!(algorithm instanceof PonasSearch)) throw new SupernetStageError(`expected the ponas algorithm; the spec chose ${algorithm.name}`);
  const costs = ponasCostTableFor(spec);
  const plan = oneShotPlan(spec);
  const reference = algorithm.reference();
  const budget = spec.algorithm.ponas?.budget;
  const cheapest = costs.costs.reduce(
    (sum, row, l) =>
      sum + (l < plan.layers ? Math.min(...plan.candidates.map((c) => at(row, c, 'candidate'))) : at(row, at(reference, l, 'layer'), 'reference candidate')),
    0,
  );
  if (budget !== undefined && budget < cheapest) {
    throw new SpecError(
      'algorithm.ponas.budget',
      `${budget} ${costs.unit} is below the cheapest network the supernet can select (${cheapest.toFixed(3)} ${costs.unit} at ${costs.inputSize} px, with supernet.layers ${plan.layers} and candidates ${plan.candidates.join(',')}); raise the budget, add cheaper candidates or shrink macro`,
    );
  }
  await putJson(store, tableKey(searchId, COST_TABLE), costs);
  return { layers: plan.layers };
}

export function createPonasOneShotActivities(deps: SearchActivityDeps) {
  /** Writes the trial spec of supernet step `step` (deterministic, so a retry writes the same). */
  async function prepareSupernetTrial({
    searchId,
    spec,
    step,
    fixed,
  }: SearchRef & { step: number; fixed: number[] }): Promise<{ trialId: string; summary: string }> {
    const { store, uriOf } = deps.openStorage(spec.storage);
    const trialId = supernetTrialId(searchId, step);
    const body = supernetTrialSpec(spec, {
      step,
      trialId,
      fixed,
      outputUri: uriOf(trialPrefix(searchId, trialId)),
      previousOutputUri: step > 0 ? uriOf(trialPrefix(searchId, supernetTrialId(searchId, step - 1))) : undefined,
      seed: trialSeed(spec.seed, trialId),
    });
    await putJson(store, trialSpecKey(searchId, trialId), body);
    return { trialId, summary: stepSummary(step, oneShotPlan(spec).layers) };
  }

  /** Reads the row a finished progressive step wrote and adds it to the search's accuracy table. */
  async function recordTableRow({ searchId, spec, step }: SearchRef & { step: number }): Promise<TableRowSummary> {
    const { store } = deps.openStorage(spec.storage);
    const trialId = supernetTrialId(searchId, step);
    const written = await readIfExists<Omit<MeasuredRow, 'trialId'>>(store, `${trialPrefix(searchId, trialId)}/row.json`);
    if (!written || written.layer !== step - 1 || !Array.isArray(written.accuracies)) {
      throw new SupernetStageError(`${trialId} finished without the row.json of table row ${step - 1}`);
    }
    const row: MeasuredRow = { layer: written.layer, fixed: written.fixed, trialId, accuracies: written.accuracies };
    const key = tableKey(searchId, ACCURACY_TABLE);
    await putJson(store, key, withRow(await readIfExists<AccuracyTableFile>(store, key), oneShotPlan(spec), row));
    const slot = winningSlot(row);
    const winner = row.accuracies.find((a) => a.slot === slot)!;
    return { layer: row.layer, winningSlot: slot, winner: blockName(winner.candidate), accuracy: Math.round(winner.accuracy * 1e6) / 1e4 };
  }

  /**
   * Stores algorithm state `toVersion`: a PONAS search whose accuracy table is the supernet's, so
   * its proposals are the budgeted selection and then the rest of the Pareto front.
   */
  async function adoptAccuracyTable({ searchId, spec, toVersion }: SearchRef & { toVersion: number }): Promise<SelectionSummary> {
    const { store } = deps.openStorage(spec.storage);
    const file = await readIfExists<AccuracyTableFile>(store, tableKey(searchId, ACCURACY_TABLE));
    const plan = oneShotPlan(spec);
    if (!file || file.rows.length !== plan.layers) {
      throw new SupernetStageError(`the accuracy table holds ${file?.rows.length ?? 0} of ${plan.layers} rows`);
    }
    const space = spaceFor(spec);
    const algorithm = createFromSpec(spec, space, { ponas: { table: file.table } });
    if (!(algorithm instanceof PonasSearch)) throw new SupernetStageError(`expected the ponas algorithm; the spec chose ${algorithm.name}`);
    // The algorithm already holds the cost table; only its unit is needed here.
    const unit = costUnit(spec.algorithm.ponas?.cost?.metric ?? 'flops');
    const { front, pick } = algorithm.selection();
    const budget = spec.algorithm.ponas?.budget;
    if (!pick) {
      throw new SpecError(
        'algorithm.ponas.budget',
        `${budget} ${unit} is below every network the measured table allows (cheapest ${at(front, 0, 'front point').cost.toFixed(3)} ${unit}); raise the budget`,
      );
    }
    const summary: SelectionSummary = { summary: space.describe(space.decode(pick.choice)), cost: round(pick.cost), unit, frontSize: front.length };
    await putJson(store, tableKey(searchId, SELECTION_TABLE), { budget: budget ?? null, unit, pick, front });
    await saveSnapshot(store, searchId, toVersion, algorithm.state());
    return summary;
  }

  return { prepareSupernetTrial, recordTableRow, adoptAccuracyTable };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
