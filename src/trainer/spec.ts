/**
 * The trial spec (input of one training run), versioned and validated at the edge with zod.
 * `genotype` and `macro` extras are opaque here: the model builder of `space` validates them.
 * Schema version 1; a breaking change adds a new literal and a migration in {@link parseTrialSpec}.
 */
import { z } from 'zod';
import { valueAt } from '../common/value-at.js';
import { canonicalJson, stableHash } from '../common/hash.js';
import { BadSpecError } from './errors.js';

export const TRIAL_SPEC_VERSION = 1;

const optimizer = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('sgd-momentum'),
    /** Default: 0.9 */
    momentum: z.number().min(0).max(1).default(0.9),
    /** Default: false */
    nesterov: z.boolean().default(false),
  }),
  z.object({
    type: z.literal('rmsprop'),
    /** Decay of the squared-gradient average. Default: 0.9 */
    rho: z.number().gt(0).lt(1).default(0.9),
    /** Default: 0.9 */
    momentum: z.number().min(0).max(1).default(0.9),
    /** Default: 1e-3 (as in the MnasNet/EfficientNet TPU recipes) */
    epsilon: z.number().gt(0).default(1e-3),
  }),
]);

const lr = z.object({
  /** Default: cosine */
  schedule: z.enum(['cosine', 'exponential']).default('cosine'),
  /** Peak learning rate, reached after warm-up. Default: 0.05 */
  initial: z.number().gt(0).default(0.05),
  /** Floor of the cosine schedule. Default: 0 */
  min: z.number().min(0).default(0),
  /** Linear warm-up from 0, in epochs (fractions allowed). Default: 0 */
  warmupEpochs: z.number().min(0).default(0),
  /** Exponential schedule: multiply by `decayRate` every `decayEpochs`. Default: 0.97 */
  decayRate: z.number().gt(0).max(1).default(0.97),
  /** Default: 2.4 */
  decayEpochs: z.number().gt(0).default(2.4),
});

const augment = z.object({
  /** Zero-pad by this many pixels then crop back at a random offset (0 disables). Default: 4 */
  padCrop: z.number().int().min(0).max(16).default(4),
  /** Random horizontal flip. Default: true */
  flip: z.boolean().default(true),
  /** Side of a zeroed random square (0 disables). Default: 0 */
  cutout: z.number().int().min(0).max(32).default(0),
});

export const recipeSchema = z.object({
  /** Default: 1 */
  epochs: z.number().int().min(1).max(10_000).default(1),
  /** Default: 32 */
  batchSize: z.number().int().min(1).max(8192).default(32),
  /** Default: { type: 'sgd-momentum', momentum: 0.9 } */
  optimizer: optimizer.default({ type: 'sgd-momentum', momentum: 0.9, nesterov: false }),
  /** Default: cosine from 0.05, no warm-up */
  lr: lr.default(lr.parse({})),
  /** L2 penalty added to each kernel's gradient (not to biases or BN). Default: 0 */
  weightDecay: z.number().min(0).default(0),
  /** Default: 0 */
  labelSmoothing: z.number().min(0).lt(1).default(0),
  /** Clip the global gradient norm to this value (0 disables). Default: 5 */
  gradClipNorm: z.number().min(0).default(5),
  /** Weight of the auxiliary head's loss when the model has one. Default: 0.4 */
  auxWeight: z.number().min(0).default(0.4),
  /** Final keep probability of ScheduledDropPath (1 disables). Default: 1 */
  dropPathKeepProb: z.number().gt(0).max(1).default(1),
  /** Checkpoint every this many optimizer steps, besides each epoch end. Default: 50 */
  checkpointEverySteps: z.number().int().min(1).default(50),
  /** Fraction of the training split held out for validation (CIFAR-10: 5k of 50k). Default: 0.1 */
  valFraction: z.number().gt(0).lt(1).default(0.1),
  /** Train at this side length (area-downsampled from 32; must divide 32). Default: 32 */
  imageSize: z.union([z.literal(32), z.literal(16), z.literal(8), z.literal(4)]).default(32),
  /**
   * Batch-norm moving-average momentum. Short trials want about 0.9: at MnasNet/PONAS's 0.99 the
   * moving statistics used for validation still lag after a few hundred steps. Default: the
   * architecture's (0.9 for CIFAR cells, 0.99 for MBConv chains, 0.9997 for ImageNet cells).
   */
  batchNormMomentum: z.number().min(0).lt(1).optional(),
  /** Use at most this many training images (0 = all), for quick trials. Default: 0 */
  maxTrainSamples: z.number().int().min(0).default(0),
  augment: augment.default(augment.parse({})),
});

export const trialSpecSchema = z.object({
  schemaVersion: z.literal(TRIAL_SPEC_VERSION),
  /** `<searchId>/<round>/<index>`; informational for the trainer. */
  trialId: z.string().min(1).optional(),
  /** Search-space name understood by the model builder (`nasnet`, `pnas`, `mnasnet`, `ponas`, ...). */
  space: z.string().min(1),
  /** Architecture in the space's JSON form; validated by the space. */
  genotype: z.unknown(),
  macro: z.looseObject({
    /** Cells per stage (NASNet N). */
    N: z.number().int().min(1).max(12).optional(),
    /** Filters of the first stage (NASNet F). */
    F: z.number().int().min(1).max(4096).optional(),
    classes: z.number().int().min(2).max(100_000),
  }),
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
