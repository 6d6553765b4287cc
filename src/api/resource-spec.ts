/**
 * The NeuralArchitectureSearch resource (group nasflow.io, version v1alpha1): its `spec` is the
 * search spec (minus `name`, which is `metadata.name`) plus where and how trial pods run; its
 * `status` is a summary (docs/style.md principle 9): phase, conditions, counts, the best trial and the
 * workflow link, never a per-trial list.
 *
 * Written once here with zod; src/kube/crd.ts generates the CRD's OpenAPI schema from these
 * objects (`npm run gen:crd`) and a unit test fails if the committed YAML drifts.
 *
 * Pure: imports zod and the search spec only.
 */
import { z } from 'zod';
import { algorithmSchema, parseSearchSpec, refineSearchSpec, searchSpecObjectWith, SpecError, type SearchSpec } from './search-spec.js';
import { fieldProblems, type FieldProblem } from './spec-errors.js';
import { at } from '../common/indexing.js';
import { latencySettingsSchema } from './latency-spec.js';

export const GROUP = 'nasflow.io';
export const VERSION = 'v1alpha1';
export const KIND = 'NeuralArchitectureSearch';
export const PLURAL = 'neuralarchitecturesearches';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** Set by the operator on every resource it started a workflow for; removed once that workflow is cancelled and its Jobs are gone. */
export const FINALIZER = 'nasflow.io/cleanup';

/** Bounds (docs/style.md principle 8: every list and map has a maximum). */
export const LIMITS = { tolerations: 32, selectorKeys: 32, resourceNames: 16, conditions: 8, messageChars: 1024, nameChars: 40 } as const;

/**
 * A Kubernetes quantity: "2", "500m", "1.5", "16Gi", "1e3", or a non-negative integer. The CRD checks
 * the string form with the same pattern in CEL (src/kube/crd.ts), so both reject "1.2.3" or "-1".
 */
export const QUANTITY_PATTERN = '^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$';
const quantity = z.union([
  z.string().max(64).regex(new RegExp(QUANTITY_PATTERN), 'must be a Kubernetes quantity such as 1, 500m or 16Gi'),
  z.number().int().min(0),
]);

const quantityMap = z
  .record(z.string().min(1).max(253), quantity)
  .refine((m) => Object.keys(m).length <= LIMITS.resourceNames, `at most ${LIMITS.resourceNames} resource names`)
  .meta({ maxProperties: LIMITS.resourceNames });

const toleration = z
  .object({
    key: z.string().max(317).optional().describe('Taint key the toleration applies to; empty matches all keys (with operator Exists).'),
    operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal. Default: Equal.'),
    value: z.string().max(63).optional().describe('Taint value for operator Equal.'),
    effect: z
      .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
      .optional()
      .describe('Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all.'),
    tolerationSeconds: z.number().int().min(0).optional().describe('For NoExecute: seconds the pod stays bound after the taint appears.'),
  })
  .strict();

/** Where and how trial pods run. Every field is optional: the worker's defaults fill the rest. */
export const trialTemplateSchema = z
  .object({
    image: z.string().min(1).max(512).optional().describe("Trainer image. Default: the worker's configured trial image."),
    imagePullPolicy: z
      .enum(['Always', 'IfNotPresent', 'Never'])
      .optional()
      .describe('Image pull policy of the trainer container: Always, IfNotPresent or Never.'),
    resources: z
      .object({
        requests: quantityMap.optional().describe('Minimum resources (cpu, memory, nvidia.com/gpu) by name, as quantities.'),
        limits: quantityMap.optional().describe('Maximum resources by name, as quantities; extended resources such as nvidia.com/gpu go here.'),
      })
      .strict()
      .optional()
      .describe('Compute resources of the trainer container; request GPUs as limits: {nvidia.com/gpu: 1}.'),
    nodeSelector: z
      .record(z.string().min(1).max(317), z.string().max(63))
      .refine((m) => Object.keys(m).length <= LIMITS.selectorKeys, `at most ${LIMITS.selectorKeys} labels`)
      .meta({ maxProperties: LIMITS.selectorKeys })
      .optional()
      .describe('Node labels a trial pod requires (e.g. a GPU node pool).'),
    tolerations: z.array(toleration).max(LIMITS.tolerations).optional().describe('Taints trial pods tolerate (e.g. nvidia.com/gpu:NoSchedule on GPU nodes).'),
    /** Passed to the pod unchanged (core/v1 Affinity); the API server validates it on the Job. */
    affinity: z.record(z.string(), z.unknown()).optional().describe('Pod affinity and anti-affinity (core/v1 Affinity), passed to trial pods unchanged.'),
    priorityClassName: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe('PriorityClass of trial pods (lower priority lets serving workloads preempt trials, which then resume from checkpoints).'),
    serviceAccountName: z.string().min(1).max(253).optional().describe("ServiceAccount trial pods run as. Default: the namespace's default."),
    /** Seconds a finished Job is kept before Kubernetes deletes it. Default: 3600. */
    ttlSecondsAfterFinished: z
      .number()
      .int()
      .min(0)
      .max(604_800)
      .default(3600)
      .describe('Seconds a finished trial Job is kept before Kubernetes deletes it. Default: 3600.'),
  })
  .strict();

export const storageSecretRefSchema = z
  .object({
    name: z.string().min(1).max(253).describe('Name of the Secret.'),
    accessKeyIdKey: z.string().min(1).max(253).default('AWS_ACCESS_KEY_ID').describe('Key of the access key id in the Secret. Default: AWS_ACCESS_KEY_ID.'),
    secretAccessKeyKey: z
      .string()
      .min(1)
      .max(253)
      .default('AWS_SECRET_ACCESS_KEY')
      .describe('Key of the secret access key in the Secret. Default: AWS_SECRET_ACCESS_KEY.'),
  })
  .strict();

/** The resource's spec fields for a given algorithm one-of, without cross-field rules. */
export function resourceSpecObjectWith<A extends z.ZodType>(algorithm: A) {
  return searchSpecObjectWith(algorithm)
    .omit({ name: true })
    .extend({
      template: trialTemplateSchema
        .default({ ttlSecondsAfterFinished: 3600 })
        .describe("Where and how trial pods run; unset fields take the worker's defaults (Helm values trial.*)."),
      storageSecretRef: storageSecretRefSchema
        .optional()
        .describe("Secret in the resource's namespace holding S3 credentials for trial pods. Default: the worker's configured Secret."),
      latency: latencySettingsSchema
        .extend({
          template: trialTemplateSchema
            .optional()
            .describe(
              "Where latency-step pods run when device is pool, e.g. a node pool of the deployment hardware (nodeSelector, tolerations, resources); unset fields take the worker's trial defaults.",
            ),
        })
        .optional()
        .describe(latencySettingsSchema.description ?? ''),
      suspend: z.boolean().default(false).describe('true pauses the search: running trials finish, no new ones start; false resumes it. Default: false.'),
    })
    .describe(
      'The search: algorithm, search space, evaluator, budget, storage, and where trial pods run. Immutable after creation except budget.parallelism, budget.maxTrials and suspend.',
    );
}

/** The resource's spec fields, without cross-field rules. */
export const resourceSpecObject = resourceSpecObjectWith(algorithmSchema);

export type ResourceSpec = z.infer<typeof resourceSpecObject>;
export type ResourceSpecInput = z.input<typeof resourceSpecObject>;
export type TrialTemplate = z.infer<typeof trialTemplateSchema>;

/** Cross-field rules of the resource spec: the search spec's (src/api/spec-rules.ts). */
export const resourceSpecSchema = resourceSpecObject.superRefine(refineSearchSpec);

/** Spec fields that may change after creation; the operator maps their edits to workflow updates. */
export const MUTABLE_FIELDS = ['budget.parallelism', 'budget.maxTrials', 'suspend'] as const;

export const PHASES = ['Pending', 'Initializing', 'Running', 'Paused', 'Suspended', 'Stopping', 'Succeeded', 'Failed', 'Cancelled'] as const;
export type ResourcePhase = (typeof PHASES)[number];

/** Condition types (kept next to the status type, docs/style.md principle 9). */
export const CONDITION = {
  /** True once the search workflow runs (or ran) for this resource. */
  WorkflowStarted: 'WorkflowStarted',
  /** True while trials are being launched; False when paused, suspended or finished. */
  Running: 'Running',
  /** True when the search finished (Succeeded, Failed or Cancelled); the reason says which. */
  Finished: 'Finished',
  /** True when the spec could not be turned into a search (the message names the field). */
  InvalidSpec: 'InvalidSpec',
} as const;

const condition = z
  .object({
    type: z.string().min(1).max(64),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Z][A-Za-z0-9]*$/, 'must be PascalCase'),
    message: z.string().max(LIMITS.messageChars),
    lastTransitionTime: z.string().meta({ format: 'date-time' }),
    observedGeneration: z.number().int().min(0).optional(),
  })
  .strict();

export const resourceStatusSchema = z
  .object({
    phase: z.enum(PHASES).optional(),
    observedGeneration: z.number().int().min(0).optional(),
    algorithm: z.string().max(64).optional(),
    conditions: z.array(condition).max(LIMITS.conditions).optional(),
    trials: z
      .object({
        succeeded: z.number().int().min(0),
        failed: z.number().int().min(0),
        running: z.number().int().min(0),
        /** succeeded + failed: the printer column "Done". */
        completed: z.number().int().min(0),
        infraRetries: z.number().int().min(0),
        maxTrials: z.number().int().min(0),
      })
      .strict()
      .optional(),
    best: z
      .object({
        trialId: z.string().max(512),
        /** Validation accuracy in percent as a decimal string (floats cross languages as strings). */
        accuracy: z.string().max(32),
        testAccuracy: z.string().max(32).optional(),
        summary: z.string().max(LIMITS.messageChars),
      })
      .strict()
      .optional(),
    /** The final stage (spec.final): counts and the best final training, beside its search accuracy. */
    final: z
      .object({
        stage: z.enum(['preparing', 'training', 'done']),
        succeeded: z.number().int().min(0),
        failed: z.number().int().min(0),
        total: z.number().int().min(0),
        best: z
          .object({
            trialId: z.string().max(512),
            sourceTrialId: z.string().max(512),
            /** Final validation accuracy in percent as a decimal string, and the source trial's in the search. */
            accuracy: z.string().max(32),
            searchAccuracy: z.string().max(32),
            testAccuracy: z.string().max(32).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    workflowId: z.string().max(512).optional(),
    workflowUrl: z.string().max(2048).optional(),
    startTime: z.string().meta({ format: 'date-time' }).optional(),
    completionTime: z.string().meta({ format: 'date-time' }).optional(),
    message: z.string().max(LIMITS.messageChars).optional(),
  })
  .strict();

export type ResourceStatus = z.infer<typeof resourceStatusSchema>;
export type Condition = z.infer<typeof condition>;

export interface NeuralArchitectureSearch {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    resourceVersion?: string;
    finalizers?: string[];
    deletionTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: ResourceSpecInput;
  status?: ResourceStatus;
}

/** The durable search id of a resource (docs/design.md): `<namespace>/<name>/<uid>`. */
export function resourceSearchId(namespace: string, name: string, uid: string): string {
  return `${namespace}/${name}/${uid}`;
}

export interface ResourceRef {
  namespace: string;
  name: string;
  uid: string;
}

/** The resource a search id names, or undefined for a local search (`local/<name>/<id>`). */
export function parseResourceSearchId(searchId: string): ResourceRef | undefined {
  const [namespace, name, uid, ...rest] = searchId.split('/');
  if (namespace === undefined || name === undefined || uid === undefined || rest.length > 0 || namespace === 'local') return undefined;
  return { namespace, name, uid };
}

/** Every problem of a resource spec, each naming its field (relative to `spec`); empty when valid. */
export function resourceSpecProblems(input: unknown): FieldProblem[] {
  const out = resourceSpecSchema.safeParse(input);
  return out.success ? [] : fieldProblems(resourceSpecSchema, input, out.error.issues);
}

/** Validates a resource spec; throws SpecError naming the field (as `spec.<field>`). */
export function parseResourceSpec(input: unknown): ResourceSpec {
  const out = resourceSpecSchema.safeParse(input);
  if (out.success) return out.data;
  const first = at(fieldProblems(resourceSpecSchema, input, out.error.issues), 0, 'spec problem');
  throw new SpecError(first.field, first.problem);
}

/** The search spec the workflow carries: the resource's spec without its Kubernetes-only fields. */
export function searchSpecOf(name: string, spec: ResourceSpec): SearchSpec {
  const { template: _t, storageSecretRef: _s, suspend: _u, latency, ...search } = spec;
  const { template: _l, ...latencySettings } = latency ?? {};
  return parseSearchSpec({ ...search, ...(latency ? { latency: latencySettings } : {}), name });
}
