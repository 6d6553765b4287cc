/**
 * What an admin adds to every trial pod (Helm values trial.podLabels, podAnnotations, env, volumes,
 * volumeMounts, terminationGracePeriodSeconds), passed to the worker as NASFLOW_TRIAL_POD_EXTRAS.
 * The chart's values.schema.json checks the same rules at install time; this is the worker's own
 * check, so a hand-written environment fails at start with the field and the fix instead of making
 * Jobs the apiserver refuses one trial at a time. Names the Job builder sets itself are reserved.
 */
import type { V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { z } from 'zod';
import { at } from '../common/indexing.js';

const labelKey = z
  .string()
  .max(317)
  .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'must be a label key such as team or example.com/cost-center');
const notReserved = (prefixes: string[], what: string) => (k: string) =>
  !prefixes.some((p) => k.startsWith(p)) || `${what} ${k} is reserved (${prefixes.join(', ')} are set by nasflow)`;
const refineKeys = (check: (k: string) => true | string) => (m: Record<string, string>, ctx: z.RefinementCtx) => {
  for (const k of Object.keys(m)) {
    const r = check(k);
    if (r !== true) ctx.addIssue({ code: 'custom', path: [k], message: r });
  }
};

export const trialPodExtrasSchema = z
  .object({
    terminationGracePeriodSeconds: z.number().int().min(0).max(86_400).optional(),
    podLabels: z
      .record(labelKey, z.string().max(63))
      .superRefine(refineKeys(notReserved(['nasflow.io/', 'app.kubernetes.io/'], 'label')))
      .optional(),
    podAnnotations: z
      .record(labelKey, z.string())
      .superRefine(refineKeys(notReserved(['nasflow.io/'], 'annotation')))
      .optional(),
    env: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
            value: z.string().optional(),
            valueFrom: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .max(64)
      .superRefine((list, ctx) =>
        list.forEach((e, i) => {
          if (/^(NASFLOW_|AWS_)/.test(e.name) || e.name === 'HOME')
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${e.name} is reserved (NASFLOW_*, AWS_* and HOME are set by nasflow)` });
        }),
      )
      .optional(),
    volumes: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
              .max(63),
          })
          .loose(),
      )
      .max(32)
      .superRefine((list, ctx) =>
        list.forEach((v, i) => {
          if (v.name === 'tmp') ctx.addIssue({ code: 'custom', path: [i, 'name'], message: "volume name tmp is reserved (the trainer's /tmp)" });
        }),
      )
      .optional(),
    volumeMounts: z
      .array(
        z
          .object({
            name: z.string().min(1),
            mountPath: z.string().regex(/^\//, 'must be an absolute path'),
            readOnly: z.boolean().optional(),
            subPath: z.string().optional(),
          })
          .strict(),
      )
      .max(32)
      .superRefine((list, ctx) =>
        list.forEach((m, i) => {
          if (/^\/tmp(\/|$)/.test(m.mountPath))
            ctx.addIssue({ code: 'custom', path: [i, 'mountPath'], message: "/tmp is reserved (the trainer's scratch emptyDir)" });
        }),
      )
      .optional(),
  })
  .strict()
  .superRefine((x, ctx) => {
    const names = new Set((x.volumes ?? []).map((v) => v.name));
    (x.volumeMounts ?? []).forEach((m, i) => {
      if (!names.has(m.name))
        ctx.addIssue({ code: 'custom', path: ['volumeMounts', i, 'name'], message: `mounts volume ${m.name}, which trial.volumes does not define` });
    });
  });

export interface TrialPodExtras {
  terminationGracePeriodSeconds?: number;
  podLabels?: Record<string, string>;
  podAnnotations?: Record<string, string>;
  env?: V1EnvVar[];
  volumes?: V1Volume[];
  volumeMounts?: V1VolumeMount[];
}

/** Parses NASFLOW_TRIAL_POD_EXTRAS; a bad document names the Helm value and what is wrong with it. */
export function parseTrialPodExtras(json: string, source = 'NASFLOW_TRIAL_POD_EXTRAS'): TrialPodExtras {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`${source} is not JSON (${err instanceof Error ? err.message : String(err)}); set it from Helm values trial.*`);
  }
  const parsed = trialPodExtrasSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data as TrialPodExtras;
  const issue = at(parsed.error.issues, 0, 'zod issue');
  throw new Error(`${source}: trial.${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
