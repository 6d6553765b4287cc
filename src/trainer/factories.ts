/**
 * The model factory `nasflow train` uses: the spec's space, genotype and macro go through the
 * shared builder of src/models (one network description for the tfjs model and the analytic
 * cost). Kept apart from the loop so tests can inject a tiny network instead.
 */
import { buildDef, costOfDef, DEFAULT_MACROS, defaultBn, networkDef, type MacroConfig } from '../models/build.js';
import { setDropPathProgress } from '../models/drop-path.js';
import { isGenotypeError } from '../space/types.js';
import { BadSpecError } from './errors.js';
import { builderMacro } from '../api/macro.js';
import type { ModelFactory } from './model.js';

export const defaultModelFactory: ModelFactory = (tf, spec, input) => {
  if (!(spec.space in DEFAULT_MACROS)) {
    throw new BadSpecError('space', `expected one of ${Object.keys(DEFAULT_MACROS).join(', ')}, received ${JSON.stringify(spec.space)}`);
  }
  // The recipe decides the training resolution and the final drop-path keep probability.
  const macro = {
    ...builderMacro(spec.macro),
    inputSize: input.height,
    channels: input.channels,
    dropPathKeepProb: spec.recipe.dropPathKeepProb,
  } as Partial<MacroConfig>;
  let def;
  try {
    def = networkDef(spec.space, spec.genotype, macro);
  } catch (err) {
    if (isGenotypeError(err)) throw new BadSpecError(`genotype.${err.field}`, err.problem);
    throw err;
  }
  const cost = costOfDef(def);
  const momentum = spec.recipe.batchNormMomentum;
  const model = buildDef(tf, def, momentum === undefined ? {} : { bn: { ...defaultBn(def), momentum } });
  return {
    model,
    params: cost.params,
    multAdds: cost.multAdds,
    setProgress: (fraction) => setDropPathProgress(model, fraction),
  };
};
