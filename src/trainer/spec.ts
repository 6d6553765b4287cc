/**
 * The trial spec (input of one training run), versioned and validated at the edge with zod.
 * `genotype` is opaque here: the model builder of `space` validates it. `macro` and `recipe` are the
 * search spec's own (src/api/macro.ts, src/api/recipe.ts).
 * Schema version 1; a breaking change adds a new literal and a migration in {@link parseTrialSpec}.
 */
import { z } from 'zod';
import { valueAt } from '../common/value-at.js';
import { canonicalJson, stableHash } from '../common/hash.js';
import { BadSpecError } from './errors.js';
import { recipeSchema } from '../api/recipe.js';
import { trialMacroSchema } from '../api/macro.js';

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
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
});

export type TrialSpec = z.infer<typeof trialSpecSchema>;
export type TrialRecipe = TrialSpec['recipe'];

/** Parses untrusted JSON; throws {@link BadSpecError} naming the first bad field (`source` is the spec URI). */
export function parseTrialSpec(json: unknown, source = 'spec'): TrialSpec {
  return parseWith(trialSpecSchema, json, source);
}

/** Parses `json` with `schema`, turning the first issue into a {@link BadSpecError} naming `source#field`. */
export function parseWith<T>(schema: z.ZodType<T>, json: unknown, source: string): T {
  const out = schema.safeParse(json);
  if (out.success) return out.data;
  const issue = out.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  const received = valueAt(json, issue.path);
  throw new BadSpecError(
    `${source}#${field}`,
    `${issue.message}; received ${received === undefined ? 'nothing' : JSON.stringify(received)}`,
  );
}

/**
 * Hash of everything that determines the trained weights (not the URIs), stored in checkpoints
 * so that a resume never continues from another spec's weights.
 */
export function trainingHash(spec: TrialSpec): string {
  return stableHash(canonicalJson({ space: spec.space, genotype: spec.genotype, macro: spec.macro, recipe: spec.recipe, seed: spec.seed }));
}
