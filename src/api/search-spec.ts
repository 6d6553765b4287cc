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
import { searchMacroSchema } from './macro.js';
import { recipeOverridesSchema, recipeSchema } from './recipe.js';
import { specRules, STORAGE_PATTERNS, type RuleSubject } from './spec-rules.js';
import { fieldProblems, shown, type FieldProblem } from './spec-errors.js';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, 'must be a DNS label of at most 40 characters: lower-case letters, digits and "-", starting and ending with a letter or digit');

const controller = z.object({
  /** LSTM units. Default: 100 (NASNet). */
  hidden: z.number().int().min(1).max(1024).optional(),
  /** Controller learning rate. Default: 0.00035 (NASNet). */
  lr: z.number().gt(0).max(1).optional(),
  /** Architectures per controller update. Default: 20 (NASNet). */
  batchSize: z.number().int().min(1).max(1000).optional(),
  /** Policy-gradient form. Default: ppo. */
  method: z.enum(['ppo', 'reinforce']).optional(),
  /** Entropy bonus weight. Default: 0.00001. */
  entropy: z.number().min(0).optional(),
  /** EMA decay of the reward baseline. Default: 0.95. */
  baselineDecay: z.number().min(0).lt(1).optional(),
});

const costTarget = z.object({
  /** Which cost the target constrains. */
  metric: z.enum(['latency', 'flops', 'params']),
  /** Target T in the metric's unit (ms, MFLOPs, M params). */
  target: z.number().gt(0),
  /** soft: w = -0.07 on both sides; hard: alpha = 0, beta = -1 (MnasNet Sec. 3). Default: soft. */
  constraint: z.enum(['soft', 'hard']).default('soft'),
});

/**
 * PONAS one-shot stages (Huang & Chu 2020): meta-train a supernet, fill the accuracy table one
 * layer per trial with progressive fine-tuning, then train the selected networks as child trials.
 */
const ponasSupernet = z
  .object({
    /** Channel width multiplier of the supernet. Default: 0.25. */
    widthMultiplier: z.number().gt(0).max(2).default(0.25),
    /** Searchable layers the supernet holds (the first ones of 19); later layers keep the reference choice. Default: 19. */
    layers: z.number().int().min(1).max(19).default(19),
    /** Candidate blocks (indices 0-11 into the PONAS candidates) every layer holds. Default: all 12. */
    candidates: z.array(z.number().int().min(0).max(11)).min(2).optional(),
    /** Stride of the supernet's stem (1 for CIFAR-size inputs, 2 at 224 px). Default: 1. */
    stemStride: z.number().int().min(1).max(2).default(1),
    /** Recipe fields for meta-training that differ from `trial` (e.g. more epochs). Default: none. */
    metaTrial: recipeOverridesSchema.default({}),
    /** Fine-tuning steps of each progressive (table-row) trial. Default: 20. */
    fineTuneSteps: z.number().int().min(0).max(1_000_000).default(20),
    /** Random completions of the later layers averaged per table entry. Default: 2. */
    evalPaths: z.number().int().min(1).max(64).default(2),
  })
  .strict();

export const algorithmSchema = z
  .object({
    random: z.object({}).strict().optional(),
    evolution: z
      .object({
        /** Population P. Default: 20. */
        population: z.number().int().min(2).max(10_000).optional(),
        /** Tournament sample S. Default: 5. */
        sample: z.number().int().min(1).max(10_000).optional(),
      })
      .strict()
      .optional(),
    nasnetRL: controller.strict().optional(),
    mnasnetRL: controller.extend({ cost: costTarget }).strict().optional(),
    pnas: z
      .object({
        /** Beam width K. Default: 10 (the paper's 256 suits thousands of trials). */
        beam: z.number().int().min(1).max(10_000).optional(),
        /** Surrogate. Default: mlp-ensemble. */
        surrogate: z.enum(['lstm', 'mlp-ensemble']).optional(),
      })
      .strict()
      .optional(),
    ponas: z
      .object({
        /**
         * Budget on the chosen network's total cost, in the unit of `cost.metric` (space ponas only:
         * per-layer costs come from the cost model). Default: unlimited.
         */
        budget: z.number().gt(0).optional(),
        /** How a candidate's cost is measured for the budget (space ponas). Default: flops at the trials' image size. */
        cost: z
          .object({
            /** flops: million multiply-adds; params: million parameters. Default: flops. */
            metric: z.enum(['flops', 'params']).default('flops'),
            /** Input side the cost is counted at, e.g. 224 for deployment. Default: trial.imageSize (32). */
            inputSize: z.number().int().min(4).max(1024).optional(),
          })
          .strict()
          .optional(),
        /** The one-shot supernet (space ponas with evaluator train); see docs/search.md. */
        supernet: ponasSupernet.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The algorithm members of the one-of, in order. */
export const ALGORITHM_KEYS = Object.keys(algorithmSchema.shape) as (keyof typeof algorithmSchema.shape)[];

/** Cross-field rules, shared with the CRD's CEL (src/api/spec-rules.ts). */
export const SPEC_RULES = specRules(ALGORITHM_KEYS);

/** The spec's fields without cross-field rules (extend this, then apply `refineSearchSpec`). */
export const searchSpecObject = z
  .object({
    /** Search name (DNS label); the workflow id and trial Job names derive from it. */
    name: dnsLabel,
    algorithm: algorithmSchema,
    /** Search space by registry name: nasnet, pnas, mnasnet, ponas, nb201. */
    space: z.enum(['nasnet', 'pnas', 'mnasnet', 'ponas', 'nb201']),
    /** Macro network for trained trials (src/api/macro.ts). */
    macro: searchMacroSchema.default({ cellsPerStage: 1, filters: 8, classes: 10 }),
    evaluator: z
      .object({
        /** train: run the trainer; benchmark: answer from a tabular benchmark. Default: train. */
        type: z.enum(['train', 'benchmark']).default('train'),
        /** Benchmark table for type benchmark. */
        benchmark: z.enum(['nb201-cifar10', 'nb201-cifar100', 'nb201-imagenet16-120']).optional(),
        /** Seconds of wall time per simulated benchmark training hour (0: answer at once). Default: 0. */
        secondsPerSimulatedHour: z.number().min(0).max(3600).default(0),
        /**
         * Where benchmark trials run: `inline` answers inside the worker; `process` runs each as a
         * child process through the local launcher, like a trained trial. Default: inline.
         */
        runAs: z.enum(['inline', 'process']).default('inline'),
      })
      .strict()
      .default({ type: 'train', secondsPerSimulatedHour: 0, runAs: 'inline' }),
    budget: z
      .object({
        /** Trials to run in total. */
        maxTrials: z.number().int().min(1).max(1_000_000),
        /** Trials in flight at once. Default: 1. */
        parallelism: z.number().int().min(1).max(10_000).default(1),
        /** User failures (bad spec, NaN loss) tolerated before the search fails. Default: 3. */
        maxFailedTrials: z.number().int().min(0).max(1_000_000).default(3),
        /** Attempts per trial for infrastructure failures. Default: 3. */
        trialRetries: z.number().int().min(0).max(100).default(3),
        /**
         * Wall-clock seconds from the search's start after which it launches no new trial: running
         * trials finish (as with stop) and the search completes. Default: no limit.
         */
        maxDurationSeconds: z.number().int().min(1).max(365 * 24 * 3600).optional(),
      })
      .strict(),
    /** Training recipe passed to the trainer (src/api/recipe.ts, docs/trainer.md). */
    trial: recipeSchema.default(recipeSchema.parse({})),
    /** Dataset URI (CIFAR-10 binary batches): s3://bucket/prefix, file:///path or a path. */
    dataset: z.string().min(1).optional(),
    /**
     * Where state, trial specs, checkpoints and results go: s3://bucket/prefix, file:///path or a
     * path, at most 1024 characters (S3's key limit). The worker also probes it before the first trial.
     */
    storage: z.string().min(1).max(1024, 'must be at most 1024 characters (S3 keys are at most 1024 bytes)'),
    /** Seed of every random choice the search makes. Default: 0. */
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  })
  .strict();

/** Cross-field rules of the spec (also applied to the Kubernetes resource's spec): SPEC_RULES. */
export function refineSearchSpec(s: RuleSubject, ctx: z.core.$RefinementCtx): void {
  for (const rule of SPEC_RULES) {
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

export type PonasSupernetSettings = z.infer<typeof ponasSupernet>;

/** The supernet settings of a one-shot spec with every default applied. */
export function ponasSupernetSettings(spec: SearchSpec): PonasSupernetSettings {
  return ponasSupernet.parse(spec.algorithm.ponas?.supernet ?? {});
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
  const first = fieldProblems(searchSpecSchema, input, out.error.issues)[0];
  throw new SpecError(first.field, first.problem);
}

/** The algorithm member that is set, as [specKey, settings]. */
export function chosenAlgorithm(spec: SearchSpec): [keyof SearchSpec['algorithm'], Record<string, unknown>] {
  const entry = Object.entries(spec.algorithm).find(([, v]) => v !== undefined)!;
  return [entry[0] as keyof SearchSpec['algorithm'], entry[1] as Record<string, unknown>];
}
