/**
 * PONAS's one-shot stages as data (Huang & Chu 2020): step 0 meta-trains the supernet; step l+1
 * fine-tunes it with layers 0..l-1 fixed to their winners and measures row l of the accuracy
 * table; the filled table then seeds the PONAS selection. Pure: the search activities write what
 * these functions return, the workflow only counts steps.
 */
import { argmax } from '../algorithms/ponas/schedule.js';
import { at } from '../common/indexing.js';
import { PONAS_CANDIDATES, PONAS_SKELETON } from '../space/ponas.js';
import { ponasSupernetSettings, type SearchSpec } from '../api/search-spec.js';

export const ACCURACY_TABLE = 'ponas-accuracy';
export const COST_TABLE = 'ponas-cost';
export const SELECTION_TABLE = 'ponas-selection';

/** `<searchId>/supernet/<step>`: step 0 is meta-training, step l+1 measures table row l. */
export function supernetTrialId(searchId: string, step: number): string {
  return `${searchId}/supernet/${step}`;
}

export interface OneShotPlan {
  /** Table rows the supernet measures (its searchable layers). */
  layers: number;
  /** Candidate indices (into PONAS_CANDIDATES) of the table's columns, in slot order. */
  candidates: number[];
}

export function oneShotPlan(spec: SearchSpec): OneShotPlan {
  const s = ponasSupernetSettings(spec);
  return { layers: s.layers, candidates: s.candidates ?? PONAS_CANDIDATES.map((_, i) => i) };
}

export function stepSummary(step: number, layers: number): string {
  return step === 0 ? 'supernet meta-training' : `supernet table row ${step}/${layers}`;
}

export interface StageTrialArgs {
  step: number;
  trialId: string;
  /** Winning slot of every row measured so far (the `fixed` prefix of the next row). */
  fixed: number[];
  /** Output prefix URI of this trial, and of the previous step's trial (for step > 0). */
  outputUri: string;
  previousOutputUri?: string;
  seed: number;
}

/** The `kind: "ponas-supernet"` trial spec of one step (schema in src/trainer/supernet/spec.ts). */
export function supernetTrialSpec(spec: SearchSpec, a: StageTrialArgs): Record<string, unknown> {
  const s = ponasSupernetSettings(spec);
  const plan = oneShotPlan(spec);
  const layer = a.step - 1;
  if (a.step > 0 && (a.previousOutputUri === undefined || a.fixed.length !== layer)) {
    throw new Error(`supernet step ${a.step} needs the previous output and ${layer} fixed choices; received ${a.fixed.length}`);
  }
  return {
    schemaVersion: 1,
    kind: 'ponas-supernet',
    trialId: a.trialId,
    supernet: { classes: spec.macro.classes, widthMultiplier: s.widthMultiplier, layers: plan.layers, candidates: plan.candidates, stemStride: s.stemStride },
    phase:
      a.step === 0
        ? { type: 'meta' }
        : { type: 'progressive', layer, fixed: a.fixed, init: a.previousOutputUri, fineTuneSteps: s.fineTuneSteps, evalPaths: s.evalPaths },
    recipe: a.step === 0 ? { ...spec.trial, ...s.metaTrial } : spec.trial,
    dataset: spec.dataset,
    output: a.outputUri,
    seed: a.seed,
  };
}

/** One measured row as the trainer reports it (`row.json`). */
export interface MeasuredRow {
  layer: number;
  fixed: number[];
  trialId: string;
  accuracies: { slot: number; candidate: number; accuracy: number }[];
}

export interface AccuracyTableFile {
  schemaVersion: 1;
  candidates: number[];
  layers: number;
  rows: MeasuredRow[];
  /** `table[l][c]` in percent for all 19 layers and 12 candidates; null where not measured. */
  table: (number | null)[][];
}

/** Adds (or replaces) a row and recomputes the full table. */
export function withRow(file: AccuracyTableFile | undefined, plan: OneShotPlan, row: MeasuredRow): AccuracyTableFile {
  const rows = [...(file?.rows ?? []).filter((r) => r.layer !== row.layer), row].sort((a, b) => a.layer - b.layer);
  const table = PONAS_SKELETON.map(() => PONAS_CANDIDATES.map((): number | null => null));
  for (const r of rows) for (const a of r.accuracies) at(table, r.layer, 'PONAS layer')[a.candidate] = Math.round(a.accuracy * 1e6) / 1e4;
  return { schemaVersion: 1, candidates: plan.candidates, layers: plan.layers, rows, table };
}

/** The slot with the best accuracy in a row (the first on ties): the layer's fixed choice from now on. */
export function winningSlot(row: MeasuredRow): number {
  const bySlot: (number | null)[] = [];
  for (const a of row.accuracies) bySlot[a.slot] = a.accuracy;
  const best = argmax(bySlot.map((v) => v ?? null));
  if (best === undefined) throw new Error(`row ${row.layer} has no accuracies`);
  return best;
}
