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
import { valueAt } from '../common/value-at.js';

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
    metaTrial: z.record(z.string(), z.unknown()).default({}),
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
  .strict()
  .superRefine((a, ctx) => {
    const set = Object.entries(a).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `set exactly one of random, evolution, nasnetRL, mnasnetRL, pnas, ponas; received ${set.length === 0 ? 'none' : set.join(', ')}`,
      });
    }
  });

/** The spec's fields without cross-field rules (extend this, then apply `refineSearchSpec`). */
export const searchSpecObject = z
  .object({
    /** Search name (DNS label); the workflow id and trial Job names derive from it. */
    name: dnsLabel,
    algorithm: algorithmSchema,
    /** Search space by registry name: nasnet, pnas, mnasnet, ponas, nb201. */
    space: z.enum(['nasnet', 'pnas', 'mnasnet', 'ponas', 'nb201']),
    /** Macro network for trained trials: N cells per stage, F filters, classes. */
    macro: z
      .object({
        N: z.number().int().min(1).max(12).default(1),
        F: z.number().int().min(1).max(4096).default(8),
        classes: z.number().int().min(2).max(100_000).default(10),
      })
      .loose()
      .default({ N: 1, F: 8, classes: 10 }),
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
    /** Training recipe passed to the trainer (see docs/trainer.md); validated by the trainer's schema. */
    trial: z.record(z.string(), z.unknown()).default({}),
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

/** Cross-field rules of the spec (also applied to the Kubernetes resource's spec). */
export function refineSearchSpec(s: z.infer<typeof searchSpecObject>, ctx: z.core.$RefinementCtx): void {
  if (s.evaluator.type === 'benchmark') {
    if (!s.evaluator.benchmark) ctx.addIssue({ code: 'custom', path: ['evaluator', 'benchmark'], message: 'required when evaluator.type is benchmark: one of nb201-cifar10, nb201-cifar100, nb201-imagenet16-120' });
    if (s.space !== 'nb201') ctx.addIssue({ code: 'custom', path: ['space'], message: 'the NAS-Bench-201 benchmark evaluator needs space nb201' });
    if (s.algorithm.mnasnetRL?.cost.metric === 'latency') {
      ctx.addIssue({ code: 'custom', path: ['algorithm', 'mnasnetRL', 'cost', 'metric'], message: 'the NAS-Bench-201 evaluator reports flops or params as cost; use one of those (per-device latency tables are not wired to it yet)' });
    }
  } else if (!s.dataset) {
    ctx.addIssue({ code: 'custom', path: ['dataset'], message: 'required when evaluator.type is train: a dataset URI such as file:///data/cifar10 or s3://bucket/cifar10' });
  }
  const storageProblem = storageUriProblem(s.storage);
  if (storageProblem) ctx.addIssue({ code: 'custom', path: ['storage'], message: storageProblem });
  const ponas = s.algorithm.ponas;
  if (ponas && s.space !== 'ponas') {
    for (const key of ['budget', 'cost'] as const) {
      if (ponas[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['algorithm', 'ponas', key], message: 'per-layer candidate costs come from the cost model of space ponas; use space ponas or remove this field' });
      }
    }
  }
  if (ponas?.supernet && (s.space !== 'ponas' || s.evaluator.type !== 'train')) {
    ctx.addIssue({ code: 'custom', path: ['algorithm', 'ponas', 'supernet'], message: 'the one-shot supernet needs space ponas and evaluator.type train; remove it to fill the table by evaluating architectures directly' });
  }
}

/** S3's bucket naming rule (the same one src/store/uri.ts applies when opening the store). */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Why a storage URI names no supported store, or undefined. A string check only (this module stays
 * pure); the worker's probe (src/store/storage-check.ts) finds what needs I/O: a missing bucket,
 * an unwritable directory.
 */
export function storageUriProblem(uri: string): string | undefined {
  const fix = 'use s3://bucket/prefix, file:///absolute/path or a filesystem path';
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme !== undefined && !((scheme === 's3' || scheme === 'file') && uri.slice(scheme.length).startsWith('://'))) {
    return `scheme ${scheme}: is not supported; ${fix}`;
  }
  if (scheme === 's3') {
    const bucket = uri.slice('s3://'.length).split('/')[0];
    if (!S3_BUCKET.test(bucket)) return `expected s3://<bucket>/<prefix> with a bucket name of 3-63 lower-case letters, digits, "." or "-"; received bucket ${JSON.stringify(bucket.slice(0, 70))}`;
  }
  const path = scheme === 'file' ? uri.slice('file://'.length) : uri;
  if (/^\/(proc|sys|dev)(\/|$)/.test(path)) return 'is under /proc, /sys or /dev, kernel pseudo-filesystems; use a directory on a real disk or an s3:// URI';
  return undefined;
}

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

/** Validates untrusted input; throws SpecError naming the first bad field, what was received and the fix. */
export function parseSearchSpec(input: unknown): SearchSpec {
  const out = searchSpecSchema.safeParse(input);
  if (out.success) return out.data;
  const issue = out.error.issues[0];
  const field = issue.path.map(String).join('.') || '(root)';
  const received = valueAt(input, issue.path);
  throw new SpecError(field, `${issue.message}${received === undefined ? '' : `; received ${shown(received)}`}`);
}

/** A received value as messages show it: at most ~200 characters, so a huge input is not echoed whole. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 200 ? text : `${text.slice(0, 200)}… (${text.length} characters)`;
}

/** The algorithm member that is set, as [specKey, settings]. */
export function chosenAlgorithm(spec: SearchSpec): [keyof SearchSpec['algorithm'], Record<string, unknown>] {
  const entry = Object.entries(spec.algorithm).find(([, v]) => v !== undefined)!;
  return [entry[0] as keyof SearchSpec['algorithm'], entry[1] as Record<string, unknown>];
}
