/**
 * The admin-set trial policy (Helm values `policy`): which trial images, service accounts, node
 * selectors, tolerations, storage Secrets and how many GPUs a search in a served namespace may ask
 * for. Anyone who can create a search in a namespace otherwise controls what runs there and which
 * Secret keys its pods see, so the operator refuses a search that breaks the policy before its
 * workflow starts (status condition + Event), and the chart renders the same rules as a
 * ValidatingAdmissionPolicy (helm/nasflow/templates/admission-policy.yaml) so the apiserver refuses
 * it at `kubectl apply` time. Both read one JSON document; this module is the operator's reading of
 * it and stays pure (no I/O).
 *
 * Matching rules, mirrored by the CEL in the chart:
 * - an unset field (or a list containing "*") allows anything;
 * - an image entry allows that repository at any tag or digest (`repo`, `repo:tag`, `repo@sha256:…`),
 *   or, ending in "/", every repository under that prefix; the worker's default image is always allowed;
 * - a Secret other than the worker's default must be listed, and must use the standard key names
 *   (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) unless `allowCustomSecretKeys` is true, so a search
 *   cannot hand an arbitrary key of an allowed Secret to a trial pod;
 * - GPUs are the larger of the request and the limit of `nvidia.com/gpu`; per search they are
 *   GPUs per trial times `budget.parallelism` (trials run at once).
 */
import { z } from 'zod';
import type { ResourceSpec } from '../api/resource-spec.js';
import { GPU_RESOURCE } from './trial-job.js';
import { at } from '../common/indexing.js';

const names = z.array(z.string().min(1).max(512)).max(256);

export const trialPolicySchema = z
  .object({
    allowedImages: names.optional(),
    allowedServiceAccounts: names.optional(),
    /** Label key → allowed values ("*": any value). A key not listed may not be selected on. */
    allowedNodeSelectors: z.record(z.string().min(1), names).optional(),
    /** Toleration keys a search may tolerate. A toleration without a key (tolerate all) needs "*". */
    allowedTolerationKeys: names.optional(),
    allowedStorageSecrets: names.optional(),
    allowCustomSecretKeys: z.boolean().default(false),
    maxGpusPerTrial: z.number().int().min(0).optional(),
    maxGpusPerSearch: z.number().int().min(0).optional(),
  })
  .strict();

export type TrialPolicy = z.infer<typeof trialPolicySchema>;

/** What the worker fills in when a search leaves a field unset: always allowed. */
export interface PolicyDefaults {
  image?: string;
  storageSecret?: string;
}

/** One broken rule, naming the field, what it held and what the policy allows. */
export interface PolicyViolation {
  field: string;
  message: string;
}

const STANDARD_KEYS = { accessKeyIdKey: 'AWS_ACCESS_KEY_ID', secretAccessKeyKey: 'AWS_SECRET_ACCESS_KEY' } as const;

/** Reads the policy JSON (env NASFLOW_POLICY); a bad document names its field and how to fix it. */
export function parseTrialPolicy(json: string, source = 'NASFLOW_POLICY'): TrialPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`${source} is not JSON (${err instanceof Error ? err.message : String(err)}); set it from Helm values policy.*`);
  }
  const parsed = trialPolicySchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = at(parsed.error.issues, 0, 'zod issue');
  throw new Error(`${source}: policy.${issue.path.join('.') || '(root)'}: ${issue.message}; see helm/nasflow/values.yaml "policy"`);
}

const anyAllowed = (list: readonly string[] | undefined): boolean => list === undefined || list.includes('*');

/** Whether `image` is one of the allowed repositories or under an allowed "prefix/". */
export function imageAllowed(image: string, allowed: readonly string[] | undefined): boolean {
  if (anyAllowed(allowed)) return true;
  return allowed!.some((p) => image === p || image.startsWith(`${p}:`) || image.startsWith(`${p}@`) || (p.endsWith('/') && image.startsWith(p)));
}

/** The GPUs one trial pod asks for: the larger of request and limit (0 when it asks for none). */
export function gpusPerTrial(resources: ResourceSpec['template']['resources']): number {
  return Math.max(0, ...[resources?.requests, resources?.limits].map((m) => Number(m?.[GPU_RESOURCE] ?? 0)));
}

/** Every rule of `policy` the spec breaks (empty: allowed). */
export function policyViolations(spec: ResourceSpec, policy: TrialPolicy, defaults: PolicyDefaults = {}): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const t = spec.template;
  const list = (l: readonly string[] | undefined) => (l && l.length > 0 ? l.join(', ') : 'none');
  if (t.image !== undefined && t.image !== defaults.image && !imageAllowed(t.image, policy.allowedImages)) {
    out.push({
      field: 'spec.template.image',
      message: `image ${t.image} is not allowed by the cluster's policy (allowed: ${list(policy.allowedImages)}); use an allowed image or omit the field for the default`,
    });
  }
  if (t.serviceAccountName !== undefined && !anyAllowed(policy.allowedServiceAccounts) && !policy.allowedServiceAccounts!.includes(t.serviceAccountName)) {
    out.push({
      field: 'spec.template.serviceAccountName',
      message: `service account ${t.serviceAccountName} is not allowed (allowed: ${list(policy.allowedServiceAccounts)}); omit it for the default`,
    });
  }
  if (t.nodeSelector && policy.allowedNodeSelectors) {
    for (const [key, value] of Object.entries(t.nodeSelector)) {
      const values = policy.allowedNodeSelectors[key];
      if (!values || !(values.includes('*') || values.includes(value))) {
        out.push({
          field: `spec.template.nodeSelector.${key}`,
          message: `node selector ${key}=${value} is not allowed (allowed keys: ${list(Object.keys(policy.allowedNodeSelectors))})`,
        });
      }
    }
  }
  if (t.tolerations && !anyAllowed(policy.allowedTolerationKeys)) {
    t.tolerations.forEach((tol, i) => {
      if (!tol.key || !policy.allowedTolerationKeys!.includes(tol.key)) {
        out.push({
          field: `spec.template.tolerations[${i}]`,
          message: `toleration of ${tol.key ? `key ${tol.key}` : 'every taint (no key)'} is not allowed (allowed keys: ${list(policy.allowedTolerationKeys)})`,
        });
      }
    });
  }
  const secret = spec.storageSecretRef;
  if (secret && secret.name !== defaults.storageSecret) {
    if (!anyAllowed(policy.allowedStorageSecrets) && !policy.allowedStorageSecrets!.includes(secret.name)) {
      out.push({
        field: 'spec.storageSecretRef.name',
        message: `Secret ${secret.name} is not allowed for trial pods (allowed: ${list(policy.allowedStorageSecrets)}); omit storageSecretRef for the default credentials`,
      });
    }
  }
  if (secret && !policy.allowCustomSecretKeys) {
    for (const k of ['accessKeyIdKey', 'secretAccessKeyKey'] as const) {
      if (secret[k] !== STANDARD_KEYS[k])
        out.push({
          field: `spec.storageSecretRef.${k}`,
          message: `custom Secret key ${secret[k]} is not allowed; store the credential under ${STANDARD_KEYS[k]}`,
        });
    }
  }
  const gpus = gpusPerTrial(t.resources);
  if (policy.maxGpusPerTrial !== undefined && gpus > policy.maxGpusPerTrial) {
    out.push({
      field: `spec.template.resources.limits.${GPU_RESOURCE}`,
      message: `${gpus} GPUs per trial is above the cluster's maximum of ${policy.maxGpusPerTrial}`,
    });
  }
  out.push(...searchGpuViolations(gpus, spec.budget.parallelism, policy));
  return out;
}

/** The per-search GPU cap alone (also checked when parallelism is edited on a running search). */
export function searchGpuViolations(gpus: number, parallelism: number, policy: TrialPolicy): PolicyViolation[] {
  if (policy.maxGpusPerSearch === undefined || gpus * parallelism <= policy.maxGpusPerSearch) return [];
  return [
    {
      field: 'spec.budget.parallelism',
      message: `${parallelism} trials at once x ${gpus} GPUs is ${gpus * parallelism} GPUs, above the cluster's maximum of ${policy.maxGpusPerSearch} per search; lower budget.parallelism`,
    },
  ];
}

/** One status message for all violations (the condition's message is truncated by the caller). */
export function violationMessage(v: readonly PolicyViolation[]): string {
  return `rejected by the cluster's trial policy: ${v.map((x) => `${x.field}: ${x.message}`).join('; ')}`;
}
