/**
 * The trial spec: `searches/<searchId>/trials/<trialId>/spec.json`, written by the search for each
 * proposed architecture and read by whoever runs the trial (the trainer, `nasflow bench-trial`, the
 * benchmark launcher). Versioned; a breaking change adds a new literal and a migration where it is
 * parsed. `genotype` is opaque here: the space's model builder validates it.
 */
import { z } from 'zod';
import { canonicalJson, stableHash } from '../common/hash.js';
import { recipeSchema } from './recipe.js';
import { trialMacroSchema } from './macro.js';
import { searchSpecObject } from './search-spec.js';
import { latencySettingsSchema } from './latency-spec.js';

export const TRIAL_SPEC_VERSION = 1;

export { recipeSchema };

export const trialSpecSchema = z.object({
  schemaVersion: z.literal(TRIAL_SPEC_VERSION),
  /** `<searchId>/<round>/<index>`; informational for the trainer. */
  trialId: z.string().min(1).optional(),
  /** Search-space name understood by the model builder (`nasnet`, `pnas`, `mnasnet`, `ponas`, ...). */
  space: z.string().min(1),
  /** Architecture in the space's JSON form; validated by the space. */
  genotype: z.unknown(),
  /** The search spec's macro (src/api/macro.ts); unset fields take the space's default macro. */
  macro: trialMacroSchema,
  recipe: recipeSchema.default(recipeSchema.parse({})),
  /** Dataset prefix URI (CIFAR-10 binary batches). `--dataset` overrides it. */
  dataset: z.string().min(1).optional(),
  /** Output prefix URI for checkpoints and result.json. Default: the spec's own directory. */
  output: z.string().min(1).optional(),
  /** Default: 0 */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0),
  /** How the trial's inference latency is measured; absent: by the trainer with the defaults. Not part of the training hash. */
  latency: latencySettingsSchema.optional(),
  /** Set when a tabular benchmark answers the trial instead of the trainer: what it needs to answer. */
  benchmark: z.object({ evaluator: searchSpecObject.shape.evaluator, algorithm: searchSpecObject.shape.algorithm }).optional(),
});

export type TrialSpec = z.infer<typeof trialSpecSchema>;
/** What a writer supplies (defaults filled in by readers). */
export type TrialSpecInput = z.input<typeof trialSpecSchema>;
export type TrialRecipe = TrialSpec['recipe'];

/**
 * Hash of everything that determines the trained weights (not the URIs), stored in checkpoints
 * so that a resume never continues from another spec's weights.
 */
export function trainingHash(spec: TrialSpec): string {
  return stableHash(canonicalJson({ space: spec.space, genotype: spec.genotype, macro: spec.macro, recipe: spec.recipe, seed: spec.seed }));
}
