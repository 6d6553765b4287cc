/**
 * The spec of a PONAS one-shot trial (`kind: "ponas-supernet"`), versioned like the child trial
 * spec. Two phases, each one trial that the search workflow chains:
 * - `meta`: train the supernet from scratch, one uniformly sampled path per batch.
 * - `progressive`: start from the supernet weights a previous trial left under `init`, fix the
 *   layers before `layer` to the candidates in `fixed`, fine-tune briefly (later layers still
 *   sampled), then evaluate every candidate of `layer` on the validation split: one row of the
 *   PONAS accuracy table.
 */
import { z } from 'zod';
import { canonicalJson, stableHash } from '../../common/hash.js';
import { PONAS_CANDIDATES, PONAS_SKELETON } from '../../space/ponas.js';
import { parseWith, recipeSchema } from '../spec.js';

export const SUPERNET_SPEC_VERSION = 1;

const phase = z.discriminatedUnion('type', [
  z.object({ type: z.literal('meta') }),
  z.object({
    type: z.literal('progressive'),
    /** Zero-based searchable layer whose table row this trial measures. */
    layer: z
      .number()
      .int()
      .min(0)
      .max(PONAS_SKELETON.length - 1),
    /** Chosen candidate slots (indices into `supernet.candidates`) of layers 0..layer-1. */
    fixed: z.array(z.number().int().min(0)),
    /** Output prefix URI of the previous supernet trial (its supernet.bin is the start). */
    init: z.string().min(1),
    /** Fine-tuning steps before evaluation. Default: 20 */
    fineTuneSteps: z.number().int().min(0).default(20),
    /** Random completions of the layers after `layer` averaged per candidate. Default: 2 */
    evalPaths: z.number().int().min(1).max(64).default(2),
  }),
]);

export const supernetSpecSchema = z
  .object({
    schemaVersion: z.literal(SUPERNET_SPEC_VERSION),
    kind: z.literal('ponas-supernet'),
    trialId: z.string().min(1).optional(),
    supernet: z.object({
      classes: z.number().int().min(2).max(100_000),
      /** Default: 0.25 */
      widthMultiplier: z.number().gt(0).max(2).default(0.25),
      /** Searchable layers kept (the first ones of the 19). Default: 19 */
      layers: z.number().int().min(1).max(PONAS_SKELETON.length).default(PONAS_SKELETON.length),
      /** Candidate indices into PONAS_CANDIDATES (table columns). Default: all 12 */
      candidates: z
        .array(
          z
            .number()
            .int()
            .min(0)
            .max(PONAS_CANDIDATES.length - 1),
        )
        .min(2)
        .default(PONAS_CANDIDATES.map((_, i) => i)),
      /** Default: 1 (CIFAR-size inputs); PONAS uses 2 at 224 px. */
      stemStride: z.number().int().min(1).max(2).default(1),
    }),
    phase,
    recipe: recipeSchema.default(recipeSchema.parse({})),
    dataset: z.string().min(1).optional(),
    output: z.string().min(1).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0),
  })
  .superRefine((spec, ctx) => {
    if (spec.phase.type !== 'progressive') return;
    if (spec.phase.layer >= spec.supernet.layers) {
      ctx.addIssue({ code: 'custom', path: ['phase', 'layer'], message: `expected a layer below supernet.layers=${spec.supernet.layers}` });
    }
    if (spec.phase.fixed.length !== spec.phase.layer) {
      ctx.addIssue({ code: 'custom', path: ['phase', 'fixed'], message: `expected ${spec.phase.layer} fixed choices (one per earlier layer)` });
    }
    const bad = spec.phase.fixed.findIndex((k) => k >= spec.supernet.candidates.length);
    if (bad >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['phase', 'fixed', bad],
        message: `expected a slot below ${spec.supernet.candidates.length} (supernet.candidates)`,
      });
    }
  });

export type SupernetSpec = z.infer<typeof supernetSpecSchema>;

export function parseSupernetSpec(json: unknown, source = 'spec'): SupernetSpec {
  return parseWith(supernetSpecSchema, json, source);
}

export function supernetHash(spec: SupernetSpec): string {
  return stableHash(canonicalJson({ kind: spec.kind, supernet: spec.supernet, phase: spec.phase, recipe: spec.recipe, seed: spec.seed }));
}
