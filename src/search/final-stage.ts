/**
 * The final stage of a search (spec `final`): the top-K architectures train again at the final
 * size. A final trial is an ordinary trial spec built from the search trial it retrains: the same
 * genotype, the search's macro and recipe with the `final` overrides on top (NASNet's N@P scaling:
 * more cells and filters, more epochs, drop path), its own seed and output prefix.
 *
 * Pure: no I/O.
 */
import type { SearchSpec } from '../api/search-spec.js';
import { TRIAL_SPEC_VERSION, type TrialSpec, type TrialSpecInput } from '../api/trial-spec.js';

export interface FinalTrialPlan {
  trialId: string;
  outputUri: string;
  seed: number;
}

/** The trial spec of a final training of `source` (the search trial's parsed spec). */
export function finalTrialSpec(spec: SearchSpec, source: TrialSpec, plan: FinalTrialPlan): TrialSpecInput {
  const final = spec.final;
  if (!final) throw new Error('finalTrialSpec: the search has no final stage');
  return {
    schemaVersion: TRIAL_SPEC_VERSION,
    trialId: plan.trialId,
    space: source.space,
    genotype: source.genotype,
    macro: { ...source.macro, ...final.macro },
    recipe: { ...source.recipe, ...final.trial },
    ...(source.dataset !== undefined ? { dataset: source.dataset } : {}),
    output: plan.outputUri,
    seed: plan.seed,
    ...(source.latency ? { latency: source.latency } : {}),
  };
}

/** "N=2 F=16 20 epochs": how the final size differs from the search's, for summaries and reports. */
export function finalSizeText(spec: SearchSpec): string {
  const macro = { ...spec.macro, ...spec.final?.macro };
  const recipe = { ...spec.trial, ...spec.final?.trial };
  const size = spec.space === 'nasnet' || spec.space === 'pnas' ? `N=${macro.cellsPerStage} F=${macro.filters} ` : '';
  return `${size}${recipe.epochs} epoch${recipe.epochs === 1 ? '' : 's'}`;
}
