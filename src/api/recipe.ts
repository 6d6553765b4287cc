/**
 * The training recipe: the search spec's `trial` field, carried unchanged into every trial spec
 * (`recipe`), read by the trainer. One definition serves the CLI, the CRD (descriptions and
 * defaults come from the `.describe()` texts and `.default()` values here) and the trainer.
 *
 * Every object is strict: a misspelt field (`epochz`) is an error, never silently dropped.
 * Pure: imports zod only.
 */
import { z } from 'zod';

const sgdMomentum = z
  .object({
    type: z.literal('sgd-momentum').describe('SGD with momentum.'),
    momentum: z.number().min(0).max(1).default(0.9).describe('Momentum. Default: 0.9.'),
    nesterov: z.boolean().default(false).describe('Nesterov momentum. Default: false.'),
  })
  .strict();

const rmsprop = z
  .object({
    type: z.literal('rmsprop').describe('RMSProp.'),
    rho: z.number().gt(0).lt(1).default(0.9).describe('Decay of the squared-gradient average. Default: 0.9.'),
    momentum: z.number().min(0).max(1).default(0.9).describe('Momentum. Default: 0.9.'),
    epsilon: z.number().gt(0).default(1e-3).describe('Epsilon. Default: 0.001 (as in the MnasNet/EfficientNet TPU recipes).'),
  })
  .strict();

const optimizer = z
  .discriminatedUnion('type', [sgdMomentum, rmsprop])
  .describe('Optimizer: {type: sgd-momentum, momentum, nesterov} or {type: rmsprop, rho, momentum, epsilon}. Default: sgd-momentum with momentum 0.9.');

const lr = z
  .object({
    schedule: z.enum(['cosine', 'exponential']).default('cosine').describe('cosine or exponential. Default: cosine.'),
    initial: z.number().gt(0).default(0.05).describe('Peak learning rate, reached after warm-up. Default: 0.05.'),
    min: z.number().min(0).default(0).describe('Floor of the cosine schedule. Default: 0.'),
    warmupEpochs: z.number().min(0).default(0).describe('Linear warm-up from 0, in epochs (fractions allowed). Default: 0.'),
    decayRate: z.number().gt(0).max(1).default(0.97).describe('Exponential schedule: multiply by decayRate every decayEpochs. Default: 0.97.'),
    decayEpochs: z.number().gt(0).default(2.4).describe('Exponential schedule: epochs between decays. Default: 2.4.'),
  })
  .strict()
  .describe('Learning-rate schedule. Default: cosine from 0.05, no warm-up.');

const augment = z
  .object({
    padCrop: z.number().int().min(0).max(16).default(4).describe('Zero-pad by this many pixels then crop back at a random offset (0 disables). Default: 4.'),
    flip: z.boolean().default(true).describe('Random horizontal flip. Default: true.'),
    cutout: z.number().int().min(0).max(32).default(0).describe('Side of a zeroed random square (0 disables). Default: 0.'),
  })
  .strict()
  .describe('Data augmentation of training images.');

const recipeShape = {
  epochs: z.number().int().min(1).max(10_000).default(1).describe('Training epochs. Default: 1.'),
  batchSize: z.number().int().min(1).max(8192).default(32).describe('Images per optimizer step. Default: 32.'),
  optimizer: optimizer.default({ type: 'sgd-momentum', momentum: 0.9, nesterov: false }),
  lr: lr.default(lr.parse({})),
  weightDecay: z.number().min(0).default(0).describe("L2 penalty added to each kernel's gradient (not to biases or BN). Default: 0."),
  labelSmoothing: z.number().min(0).lt(1).default(0).describe('Label smoothing, in [0, 1). Default: 0.'),
  gradClipNorm: z.number().min(0).default(5).describe('Clip the global gradient norm to this value (0 disables). Default: 5.'),
  auxWeight: z.number().min(0).default(0.4).describe("Weight of the auxiliary head's loss when the model has one. Default: 0.4."),
  dropPathKeepProb: z.number().gt(0).max(1).default(1).describe('Final keep probability of ScheduledDropPath (1 disables). Default: 1.'),
  checkpointEverySteps: z.number().int().min(1).default(50).describe('Checkpoint every this many optimizer steps, besides each epoch end. Default: 50.'),
  valFraction: z.number().gt(0).lt(1).default(0.1).describe('Fraction of the training split held out for validation (CIFAR-10: 5k of 50k). Default: 0.1.'),
  imageSize: z.literal([32, 16, 8, 4]).default(32).describe('Train at this side length: 32, 16, 8 or 4 (area-downsampled from 32). Default: 32.'),
  /*
   * Short trials want about 0.9: at MnasNet/PONAS's 0.99 the moving statistics used for validation
   * still lag after a few hundred steps.
   */
  batchNormMomentum: z
    .number()
    .min(0)
    .lt(1)
    .optional()
    .describe("Batch-norm moving-average momentum. Default: the architecture's (0.9 for CIFAR cells, 0.99 for MBConv chains, 0.9997 for ImageNet cells)."),
  maxTrainSamples: z.number().int().min(0).default(0).describe('Use at most this many training images (0 = all), for quick trials. Default: 0.'),
  augment: augment.default(augment.parse({})),
};

/**
 * Trials that share one GPU (docs/gpu.md "Packing small trials"): the Kubernetes launcher runs up
 * to this many trainer processes in one pod that requests one GPU. A placement setting, not a
 * recipe: final trainings (final.trial) cannot override it. Optional rather than defaulted, so
 * specs that leave it out (absent = 1) read exactly as before.
 */
const perGpu = z
  .number({ error: 'expected an integer from 1 to 16 (trials sharing one GPU); use 1 for a GPU per trial' })
  .int('expected an integer from 1 to 16 (trials sharing one GPU); use 1 for a GPU per trial')
  .min(1, 'must be at least 1 (1 = a GPU per trial, no packing)')
  .max(16, 'must be at most 16 trials per GPU; past that the trainers contend for GPU memory')
  .optional()
  .describe(
    'Trials that share one GPU: under the Kubernetes launcher up to this many trainers run as separate processes in one pod requesting one GPU (docs/gpu.md). 1 to 16. Ignored by the local launcher; refused with a benchmark evaluator. Default: 1.',
  );

export const recipeSchema = z.object({ ...recipeShape, perGpu }).strict();

/**
 * Recipe fields that override another recipe (PONAS meta-training over `trial`): the same fields,
 * all optional and without defaults, so only what is written overrides.
 */
export const recipeOverridesSchema = z.object(withoutDefaults(recipeShape)).strict();

function withoutDefaults(shape: Record<string, z.ZodType>): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, s] of Object.entries(shape)) {
    const bare = s instanceof z.ZodDefault ? (s.unwrap() as z.ZodType) : s;
    out[key] = bare.optional().describe(s.description ?? bare.description ?? key);
  }
  return out;
}

export type TrialRecipe = z.infer<typeof recipeSchema>;
export type TrialRecipeInput = z.input<typeof recipeSchema>;
