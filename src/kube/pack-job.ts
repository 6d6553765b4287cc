/**
 * The batch/v1 Job of one pack pod (spec `trial.perGpu` > 1; docs/gpu.md "Packing small trials"):
 * the trial Job of trial-job.ts (same template, Secret, security settings, owner and one GPU
 * request) with the agent `nasflow trial pack` as its command. Pure, like buildTrialJob.
 *
 * Differences from a trial Job, and why:
 * - no pod failure policy: with `backoffLimit: 0` a lost, evicted or deleted pack pod fails the
 *   Job and no replacement pod starts; the launcher reports each trial it held as an
 *   infrastructure failure (retried as a new attempt, resumed from its checkpoint) instead of a
 *   second agent guessing which trainers died;
 * - labels `nasflow.io/pack` and no trial label: the Job is no single trial's;
 * - the agent's exit code is no trainer's: each trial's exit is read from storage.
 */
import type { V1Job } from '@kubernetes/client-node';
import { buildTrialJob, LABEL_ATTEMPT, LABEL_TRIAL, TRAINER_CONTAINER, ANNOTATION_TRIAL_ID, type TrialJobInput } from './trial-job.js';
import { trialJobName } from '../common/ids.js';
import { at } from '../common/indexing.js';

export const LABEL_PACK = 'nasflow.io/pack';
export const ANNOTATION_PACK_SLOTS = 'nasflow.io/pack-slots';
/** Idle time after which an agent closes its pack. Default of `nasflow trial pack`. */
export const DEFAULT_PACK_IDLE_SECONDS = 60;

export interface PackJobInput extends Omit<TrialJobInput, 'trialId' | 'attempt' | 'specUri' | 'step'> {
  /** The pack's name (packName): also the Job's. */
  pack: string;
  /** URI of the pack's records (`<storage>/searches/<searchId>/packs/<pack>`). */
  packUri: string;
  slots: number;
  idleSeconds?: number;
}

/** Pack names: `<search-name>-<hash8>-rpack-<seq>`, DNS-safe and at most 63 characters like trial Job names. */
export function packName(searchName: string, searchId: string, seq: number): string {
  return trialJobName(searchName, `${searchId}/pack/${seq}`);
}

/** The ConfigMap holding a search's pack table (pack-slots.ts). */
export function packTableName(searchName: string, searchId: string): string {
  return trialJobName(searchName, `${searchId}/pack/table`);
}

export function buildPackJob(p: PackJobInput): V1Job {
  const seq = p.pack.slice(p.pack.lastIndexOf('-') + 1);
  const job = buildTrialJob({ ...p, trialId: `${p.searchId}/pack/${seq}`, attempt: 1, specUri: p.packUri, step: 'train' });
  if (job.metadata!.name !== p.pack) throw new Error(`pack Job name ${job.metadata!.name} differs from the pack ${p.pack}: build pack names with packName()`);
  const relabel = (labels: Record<string, string> | undefined): Record<string, string> => {
    const { [LABEL_TRIAL]: _t, [LABEL_ATTEMPT]: _a, ...rest } = labels ?? {};
    return { ...rest, [LABEL_PACK]: 'true' };
  };
  const reannotate = (a: Record<string, string> | undefined): Record<string, string> => {
    const { [ANNOTATION_TRIAL_ID]: _id, ...rest } = a ?? {};
    return { ...rest, [ANNOTATION_PACK_SLOTS]: String(p.slots) };
  };
  job.metadata!.labels = relabel(job.metadata!.labels);
  job.metadata!.annotations = reannotate(job.metadata!.annotations);
  const spec = job.spec!;
  delete spec.podFailurePolicy;
  delete spec.podReplacementPolicy;
  spec.template.metadata = { labels: relabel(spec.template.metadata?.labels), annotations: reannotate(spec.template.metadata?.annotations) };
  const c = at(spec.template.spec!.containers, 0, 'trainer container');
  if (c.name !== TRAINER_CONTAINER) throw new Error(`expected the ${TRAINER_CONTAINER} container first, received ${c.name}`);
  const prefix = (p.defaults.command ?? ['nasflow']).slice();
  c.command = [
    ...prefix,
    'trial',
    'pack',
    '--dir',
    p.packUri,
    '--slots',
    String(p.slots),
    '--idle-seconds',
    String(p.idleSeconds ?? DEFAULT_PACK_IDLE_SECONDS),
  ];
  // Each trainer gets its own spec and attempt from the agent.
  c.env = (c.env ?? []).filter((e) => e.name !== 'NASFLOW_TRIAL_SPEC' && e.name !== 'NASFLOW_TRIAL_ATTEMPT');
  return job;
}
