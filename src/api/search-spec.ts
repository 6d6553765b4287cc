/**
 * The search spec: one document that `nasflow search run` reads and the NeuralArchitectureSearch
 * resource carries in `spec`. Written once here with zod; the CRD schema is generated from it.
 *
 * Shape notes:
 * - `algorithm` is a one-of: exactly one member (random, evolution, nasnetRL, mnasnetRL, pnas,
 *   ponas) is set, Kubernetes-style, so that each member documents its own defaults.
 * - `evaluator` chooses how a trial is answered: `train` runs the trainer on `dataset`;
 *   `benchmark` answers from a tabular benchmark (NAS-Bench-201) for fast, honest comparisons.
 *
 * Pure: imports zod only, so workflow code may import the types.
 */
import { z } from 'zod';
import { macroOverridesSchema, searchMacroSchema } from './macro.js';
import { recipeOverridesSchema, recipeSchema } from './recipe.js';
import { latencySettingsSchema } from './latency-spec.js';
import { specRules, STORAGE_PATTERNS, type RuleSubject, type SpecRule } from './spec-rules.js';
import { ALGORITHMS } from '../algorithms/catalog.js';
import type { AlgorithmDefinition } from '../algorithms/definition.js';
import { ponasSupernetSchema } from '../algorithms/ponas/definition.js';
import { fieldProblems, shown, type FieldProblem } from './spec-errors.js';
import { at } from '../common/indexing.js';

const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/,
    'must be a DNS label of at most 40 characters: lower-case letters, digits and "-", starting and ending with a letter or digit',
  );

type OneOfShape<D extends readonly AlgorithmDefinition[]> = { [E in D[number] as E['specKey']]: z.ZodOptional<E['settings']> };

/** The algorithm one-of over a list of definitions: every member optional; SPEC_RULES requires exactly one. */
export function algorithmOneOf<const D extends readonly AlgorithmDefinition[]>(definitions: D) {
  const shape = Object.fromEntries(definitions.map((d) => [d.specKey, d.settings.optional()])) as OneOfShape<D>;
  return z
    .object(shape)
    .strict()
    .describe(`How the search chooses architectures: set exactly one member (${definitions.map((d) => d.specKey).join(', ')}); its fields tune it.`);
}

/** The built-in methods (src/algorithms/registry.ts). */
export const algorithmSchema = algorithmOneOf(ALGORITHMS);

/** The algorithm members of the one-of, in order. */
export const ALGORITHM_KEYS: readonly string[] = ALGORITHMS.map((d) => d.specKey);

/** Cross-field rules, shared with the CRD's CEL (src/api/spec-rules.ts). */
export const SPEC_RULES = specRules(ALGORITHM_KEYS);

/** The spec's fields, for a given algorithm one-of, without cross-field rules. */
export function searchSpecObjectWith<A extends z.ZodType>(algorithm: A) {
  return z
    .object({
      /** Search name (DNS label); the workflow id and trial Job names derive from it. */
      name: dnsLabel,
      algorithm,
      /** Search space by registry name: nasnet, pnas, mnasnet, ponas, nb201. */
      space: z.enum(['nasnet', 'pnas', 'mnasnet', 'ponas', 'nb201']).describe('Search space by registry name: nasnet, pnas, mnasnet, ponas or nb201.'),
      /** Macro network for trained trials (src/api/macro.ts). */
      macro: searchMacroSchema.default({ cellsPerStage: 1, filters: 8, classes: 10 }),
      evaluator: z
        .object({
          /** train: run the trainer; benchmark: answer from a tabular benchmark. Default: train. */
          type: z
            .enum(['train', 'benchmark'])
            .default('train')
            .describe('train: run the trainer in a Job; benchmark: answer from a tabular benchmark. Default: train.'),
          /** Benchmark table for type benchmark. */
          benchmark: z
            .enum(['nb201-cifar10', 'nb201-cifar100', 'nb201-imagenet16-120'])
            .optional()
            .describe('Benchmark table when type is benchmark: nb201-cifar10, nb201-cifar100 or nb201-imagenet16-120.'),
          /** Seconds of wall time per simulated benchmark training hour (0: answer at once). Default: 0. */
          secondsPerSimulatedHour: z
            .number()
            .min(0)
            .max(3600)
            .default(0)
            .describe('Wall seconds per simulated benchmark training hour (0 answers at once). Default: 0.'),
          /**
           * Where benchmark trials run: `inline` answers inside the worker; `process` runs each as a
           * child process through the local launcher, like a trained trial. Default: inline.
           */
          runAs: z
            .enum(['inline', 'process'])
            .default('inline')
            .describe(
              'Where benchmark trials run: inline (answered inside the worker) or process (each trial runs as a trial process, a Job under the Kubernetes launcher, like a trained trial). Default: inline.',
            ),
        })
        .strict()
        .default({ type: 'train', secondsPerSimulatedHour: 0, runAs: 'inline' })
        .describe('How a trial is answered: by training (a Job per trial) or from a tabular benchmark.'),
      budget: z
        .object({
          /** Trials to run in total. */
          maxTrials: z
            .number()
            .int()
            .min(1)
            .max(1_000_000)
            .describe('Trials to run in total. May be changed while the search runs (not below the trials done or running).'),
          /** Trials in flight at once. Default: 1. */
          parallelism: z
            .number()
            .int()
            .min(1)
            .max(10_000)
            .default(1)
            .describe('Trials (Jobs) in flight at once. May be changed while the search runs. Default: 1.'),
          /** User failures (bad spec, NaN loss) tolerated before the search fails. Default: 3. */
          maxFailedTrials: z
            .number()
            .int()
            .min(0)
            .max(1_000_000)
            .default(3)
            .describe('User failures (trainer exit 2: bad spec or data; 3: NaN loss) tolerated before the search fails; at most maxTrials (or 3). Default: 3.'),
          /** Attempts per trial for infrastructure failures. Default: 3. */
          trialRetries: z
            .number()
            .int()
            .min(0)
            .max(100)
            .default(3)
            .describe(
              'Retries of a trial after infrastructure failures (eviction, node loss, exit codes other than 0, 2, 3); these do not count as failures. Default: 3.',
            ),
          /**
           * Wall-clock seconds from the search's start after which it launches no new trial: running
           * trials finish (as with stop) and the search completes. Default: no limit.
           */
          maxDurationSeconds: z
            .number()
            .int()
            .min(1)
            .max(365 * 24 * 3600)
            .optional()
            .describe(
              'Wall-clock seconds from the start after which no new trial launches; running trials finish and the search completes. Default: no limit.',
            ),
        })
        .strict()
        .describe('How many trials run, how many at once, and how many failures are tolerated.'),
      /** Training recipe passed to the trainer (src/api/recipe.ts, docs/trainer.md). */
      trial: recipeSchema
        .default(recipeSchema.parse({}))
        .describe('Training recipe passed to every trial (src/api/recipe.ts, docs/trainer.md); strict: an unknown field is an error.'),
      /**
       * Final training, as the papers do it: once the search has succeeded, the top-K architectures
       * train again at a larger size and with a longer recipe (NASNet's N@P scaling, drop path), as
       * trials of the same workflow; their accuracy is reported beside the search accuracy.
       */
      final: z
        .object({
          topK: z
            .number()
            .int()
            .min(1)
            .max(100)
            .default(2)
            .describe('How many of the best architectures (by search validation accuracy) train again. Default: 2.'),
          macro: macroOverridesSchema.default({}),
          trial: recipeOverridesSchema
            .default({})
            .describe('Recipe fields the final trainings change, e.g. {epochs: 600, dropPathKeepProb: 0.6}; the rest come from trial.'),
        })
        .strict()
        .optional()
        .describe(
          'Retrain the top-K architectures at the final size once the search succeeds (needs evaluator.type train). Skipped when the search is stopped or cancelled.',
        ),
      /** Where trained trials measure inference latency (src/api/latency-spec.ts). Default: the trainer, on its own device. */
      latency: latencySettingsSchema.optional(),
      /** Dataset URI (CIFAR-10 binary batches): s3://bucket/prefix, file:///path or a path. */
      dataset: z.string().min(1).optional().describe('Dataset URI (CIFAR-10 binary batches), e.g. s3://bucket/cifar10. Required when evaluator.type is train.'),
      /**
       * Where state, trial specs, checkpoints and results go: s3://bucket/prefix, file:///path or a
       * path, at most 1024 characters (S3's key limit). The worker also probes it before the first trial.
       */
      storage: z
        .string()
        .min(1)
        .max(1024, 'must be at most 1024 characters (S3 keys are at most 1024 bytes)')
        .describe(
          'Where search state, trial specs, checkpoints and results go: s3://bucket/prefix, file:///path or a path, e.g. s3://bucket/nasflow. Before the first trial the worker writes, reads and deletes a probe object there; unusable storage fails the search at once (StorageError).',
        ),
      /** Seed of every random choice the search makes. Default: 0. */
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .default(0)
        .describe('Seed of every random choice the search makes. Default: 0.'),
    })
    .strict();
}

/** The spec's fields without cross-field rules (extend this, then apply `refineSearchSpec`). */
export const searchSpecObject = searchSpecObjectWith(algorithmSchema);

/** Cross-field rules of the spec (also applied to the Kubernetes resource's spec): SPEC_RULES. */
export function refineSearchSpec(s: RuleSubject, ctx: z.core.$RefinementCtx): void {
  refineWith(SPEC_RULES, s, ctx);
}

export function refineWith(rules: readonly SpecRule[], s: RuleSubject, ctx: z.core.$RefinementCtx): void {
  for (const rule of rules) {
    if (!rule.holds(s)) ctx.addIssue({ code: 'custom', path: [...rule.path], message: rule.message });
  }
}

/**
 * Why a storage URI names no supported store, or undefined: the storage rules of SPEC_RULES as one
 * message. A string check only (this module stays pure); the worker's probe
 * (src/store/storage-check.ts) finds what needs I/O: a missing bucket, an unwritable directory.
 */
export function storageUriProblem(uri: string): string | undefined {
  const subject = { storage: uri } as RuleSubject;
  const broken = SPEC_RULES.find((r) => r.path[0] === 'storage' && !r.holds(subject));
  return broken && `${broken.message}; received ${shown(uri)}`;
}

export { STORAGE_PATTERNS };

/**
 * Whether this spec runs PONAS's one-shot stages: PONAS on its own space with trained trials. Other
 * PONAS searches (e.g. on a tabular benchmark) fill the table by evaluating architectures directly.
 */
export function isPonasOneShot(spec: SearchSpec): boolean {
  return spec.algorithm.ponas !== undefined && spec.space === 'ponas' && spec.evaluator.type === 'train';
}

export type PonasSupernetSettings = z.infer<typeof ponasSupernetSchema>;

/** The supernet settings of a one-shot spec with every default applied. */
export function ponasSupernetSettings(spec: SearchSpec): PonasSupernetSettings {
  return ponasSupernetSchema.parse(spec.algorithm.ponas?.supernet ?? {});
}

export const searchSpecSchema = searchSpecObject.superRefine(refineSearchSpec);

export type SearchSpec = z.infer<typeof searchSpecSchema>;
export type SearchSpecInput = z.input<typeof searchSpecSchema>;

export class SpecError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`spec.${field}: ${problem}`);
    this.name = 'SpecError';
  }
}

export function isSpecError(err: unknown): err is SpecError {
  return err instanceof Error && err.name === 'SpecError';
}

/** Every problem of an untrusted spec, each naming its field; empty when the spec is valid. */
export function searchSpecProblems(input: unknown): FieldProblem[] {
  const out = searchSpecSchema.safeParse(input);
  return out.success ? [] : fieldProblems(searchSpecSchema, input, out.error.issues);
}

/** Validates untrusted input; throws SpecError naming the first bad field, what was received and the fix. */
export function parseSearchSpec(input: unknown): SearchSpec {
  const out = searchSpecSchema.safeParse(input);
  if (out.success) return out.data;
  const first = at(fieldProblems(searchSpecSchema, input, out.error.issues), 0, 'spec problem');
  throw new SpecError(first.field, first.problem);
}

/** The algorithm member that is set, as [specKey, settings]. */
export function chosenAlgorithm(spec: SearchSpec): [keyof SearchSpec['algorithm'], Record<string, unknown>] {
  const entry = Object.entries(spec.algorithm).find(([, v]) => v !== undefined)!;
  return [entry[0] as keyof SearchSpec['algorithm'], entry[1] as Record<string, unknown>];
}
