/**
 * The batch/v1 Job of one trial attempt (docs/design.md "Contracts"), built as a pure function of the
 * trial, the resource's pod template and the worker's defaults, so tests check it field by field.
 *
 * - Named from the trial id (and the attempt after the first), so a retried launch finds its Job
 *   instead of creating a second one.
 * - `backoffLimit: 0` with a pod failure policy: a pod that fails with a `DisruptionTarget`
 *   condition (eviction, preemption, node drain) is *ignored* and the Job starts a new pod, which
 *   resumes from the trial's last checkpoint; exit code 2 (bad spec/data) or 3 (NaN) fails the Job
 *   at once; any other failure fails it too, and the workflow retries it as a new attempt (infra).
 * - `podReplacementPolicy: Failed`: a replacement pod starts only after the old one is gone, so
 *   two trainers never write the same checkpoint prefix.
 * - Non-root, no privilege escalation, read-only root filesystem with an emptyDir at /tmp.
 * - `terminationMessagePolicy: FallbackToLogsOnError`: the last log lines of a failed trainer land
 *   in the pod status, from where the launcher copies them into the trial's failure reason.
 */
import { USER_EXIT_CODES } from '../api/exit-codes.js';
import type { V1EnvVar, V1Job } from '@kubernetes/client-node';
import { stableHash } from '../common/hash.js';
import { trialJobName } from '../common/ids.js';
import { API_VERSION, KIND, type TrialTemplate } from '../api/resource-spec.js';
import type { TrialPodExtras } from './trial-pod-extras.js';

export const LABEL_SEARCH = 'nasflow.io/search';
export const LABEL_TRIAL = 'nasflow.io/trial';
export const LABEL_ATTEMPT = 'nasflow.io/attempt';
/** Set on latency-step Jobs only (spec latency.device pool); training Jobs carry no step label. */
export const LABEL_STEP = 'nasflow.io/step';
export const ANNOTATION_TRIAL_ID = 'nasflow.io/trial-id';
export const ANNOTATION_SEARCH_ID = 'nasflow.io/search-id';
export const TRAINER_CONTAINER = 'trainer';

/** Worker-wide settings a resource's template may override (Helm values `trial.*`). */
export interface TrialDefaults {
  /** Trainer image when the template names none. */
  image: string;
  /** Command before `train --spec <uri>`. Default: ["nasflow"]. */
  command?: string[];
  /** S3 endpoint passed as NASFLOW_S3_ENDPOINT (MinIO, versitygw, Ceph); unset for AWS. */
  s3Endpoint?: string;
  /** AWS_REGION for the trainer. */
  s3Region?: string;
  /** Secret with S3 credentials when the resource names none. */
  s3SecretName?: string;
  serviceAccountName?: string;
  /** runAsUser/runAsGroup/fsGroup of trial pods. Default: 1000. */
  uid?: number;
  /**
   * A trial pod that requests `nvidia.com/gpu` must train on a GPU: the Job sets
   * NASFLOW_REQUIRE_GPU=1 and a trainer that finds none exits 2 instead of training on the CPU for
   * days. false turns that off (clusters whose GPU nodes are simulated, e.g. kwok). Default: true.
   */
  requireGpu?: boolean;
  /** The admin's additions to every trial pod (Helm values trial.*; checked by trial-pod-extras.ts). */
  extras?: TrialPodExtras;
}

export interface TrialJobInput {
  namespace: string;
  /** The resource's name: the Job name and the nasflow.io/search label derive from it. */
  searchName: string;
  searchId: string;
  trialId: string;
  attempt: number;
  specUri: string;
  /** The owning NeuralArchitectureSearch; Jobs of a resource are garbage-collected with it. */
  owner?: { name: string; uid: string };
  template: Partial<TrialTemplate>;
  storageSecretRef?: { name: string; accessKeyIdKey?: string; secretAccessKeyKey?: string };
  defaults: TrialDefaults;
  /** Default: train (`nasflow train`); latency runs `nasflow latency measure` with the same spec. */
  step?: TrialStep;
}

/** Which step of a trial a Job runs: training, or the separate latency measurement (spec latency.device pool). */
export type TrialStep = 'train' | 'latency';

/**
 * `trialJobName` for the first attempt; later attempts end in `-a<n>`, a latency step's Job in
 * `-lat`, and every name still fits 63 characters.
 */
export function jobNameFor(searchName: string, trialId: string, attempt: number, step: TrialStep = 'train'): string {
  const base = trialJobName(searchName, trialId);
  const tail = `${attempt <= 1 ? '' : `-a${attempt}`}${step === 'latency' ? '-lat' : ''}`;
  if (tail === '') return base;
  if (base.length + tail.length <= 63) return `${base}${tail}`;
  return `${trialJobName(searchName.slice(0, Math.max(1, searchName.length - tail.length)), trialId)}${tail}`;
}

/** Label value identifying a trial (trial ids contain slashes, labels may not). */
export function trialLabel(trialId: string): string {
  return stableHash(trialId, 16);
}

export function buildTrialJob(t: TrialJobInput): V1Job {
  const step = t.step ?? 'train';
  const name = jobNameFor(t.searchName, t.trialId, t.attempt, step);
  const labels = {
    [LABEL_SEARCH]: t.searchName,
    [LABEL_TRIAL]: trialLabel(t.trialId),
    [LABEL_ATTEMPT]: String(t.attempt),
    ...(step === 'latency' ? { [LABEL_STEP]: step } : {}),
    'app.kubernetes.io/managed-by': 'nasflow',
    'app.kubernetes.io/component': 'trial',
  };
  const annotations = { [ANNOTATION_TRIAL_ID]: t.trialId, [ANNOTATION_SEARCH_ID]: t.searchId };
  const tpl = t.template;
  const extras = t.defaults.extras ?? {};
  const uid = t.defaults.uid ?? 1000;
  const serviceAccountName = tpl.serviceAccountName ?? t.defaults.serviceAccountName;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: t.namespace,
      labels,
      annotations,
      ...(t.owner ? { ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name: t.owner.name, uid: t.owner.uid, controller: true }] } : {}),
    },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: tpl.ttlSecondsAfterFinished ?? 3600,
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          { action: 'FailJob', onExitCodes: { containerName: TRAINER_CONTAINER, operator: 'In', values: [...USER_EXIT_CODES] } },
        ],
      },
      template: {
        // The admin's labels and annotations first: nasflow's own keys always win.
        metadata: { labels: { ...extras.podLabels, ...labels }, annotations: { ...extras.podAnnotations, ...annotations } },
        spec: {
          restartPolicy: 'Never',
          ...(extras.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: extras.terminationGracePeriodSeconds } : {}),
          ...(serviceAccountName ? { serviceAccountName } : {}),
          automountServiceAccountToken: false, // the trainer talks to S3, never to the apiserver
          ...(tpl.nodeSelector ? { nodeSelector: tpl.nodeSelector } : {}),
          ...(tpl.tolerations ? { tolerations: tpl.tolerations } : {}),
          ...(tpl.affinity ? { affinity: tpl.affinity } : {}),
          ...(tpl.priorityClassName ? { priorityClassName: tpl.priorityClassName } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
          volumes: [{ name: 'tmp', emptyDir: {} }, ...(extras.volumes ?? [])],
          containers: [
            {
              name: TRAINER_CONTAINER,
              image: tpl.image ?? t.defaults.image,
              ...(tpl.imagePullPolicy ? { imagePullPolicy: tpl.imagePullPolicy } : {}),
              command: [...(t.defaults.command ?? ['nasflow']), ...(step === 'latency' ? ['latency', 'measure'] : ['train']), '--spec', t.specUri],
              env: [...trialEnv(t), ...(extras.env ?? [])],
              ...(tpl.resources ? { resources: stringQuantities(tpl.resources) } : {}),
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(extras.volumeMounts ?? [])],
              terminationMessagePolicy: 'FallbackToLogsOnError',
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

function trialEnv(t: TrialJobInput): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'NASFLOW_TRIAL_SPEC', value: t.specUri },
    { name: 'NASFLOW_TRIAL_ATTEMPT', value: String(t.attempt) },
    { name: 'HOME', value: '/tmp' },
  ];
  if (t.defaults.requireGpu !== false && requestsGpu(t.template.resources)) env.push({ name: 'NASFLOW_REQUIRE_GPU', value: '1' });
  if (t.defaults.s3Endpoint) env.push({ name: 'NASFLOW_S3_ENDPOINT', value: t.defaults.s3Endpoint });
  if (t.defaults.s3Region) env.push({ name: 'AWS_REGION', value: t.defaults.s3Region });
  const secret = t.storageSecretRef ?? (t.defaults.s3SecretName ? { name: t.defaults.s3SecretName } : undefined);
  if (secret) {
    env.push(
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: secret.name, key: secret.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: secret.name, key: secret.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY' } } },
    );
  }
  return env;
}

/** The extended resource of the NVIDIA device plugin. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Whether a pod with these resources asks for at least one NVIDIA GPU (requests or limits). */
export function requestsGpu(r: TrialTemplate['resources'] | undefined): boolean {
  return [r?.limits, r?.requests].some((m) => m !== undefined && Number(m[GPU_RESOURCE] ?? 0) > 0);
}

/** Quantities may be written as integers in the resource (`nvidia.com/gpu: 1`); pods take strings. */
function stringQuantities(r: NonNullable<TrialTemplate['resources']>): { requests?: Record<string, string>; limits?: Record<string, string> } {
  const conv = (m?: Record<string, string | number>) => (m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)])) : undefined);
  const out: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  if (r.requests) out.requests = conv(r.requests);
  if (r.limits) out.limits = conv(r.limits);
  return out;
}
