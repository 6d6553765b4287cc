/**
 * Reads a trial attempt's state from its Job and pods (pure, so every case has a unit test).
 *
 * The Job is the durable evidence: `Complete` means the trainer exited 0; `Failed` means it exited
 * non-zero (the exit code comes from the trainer container's terminated state; `PodFailurePolicy`
 * failures carry 2 or 3); a disrupted pod does not fail the Job (the pod failure policy ignores
 * it and a replacement pod resumes from the checkpoint), so the attempt stays running.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { TrialState } from '../launch/launcher.js';
import { TRAINER_CONTAINER } from './trial-job.js';

/** Exit code reported when the Job failed but no pod shows one (pod deleted, deadline exceeded). */
export const UNKNOWN_EXIT = 137;
const MESSAGE_CHARS = 1000;

export function trialStateOf(job: V1Job | undefined, pods: readonly V1Pod[]): TrialState {
  if (!job) return { state: 'missing' };
  const conds = job.status?.conditions ?? [];
  const isTrue = (type: string) => conds.some((c) => c.type === type && c.status === 'True');
  if (isTrue('Complete')) return { state: 'exited', exitCode: 0 };
  if (!isTrue('Failed')) return { state: 'running' };
  const failed = conds.find((c) => c.type === 'Failed' && c.status === 'True')!;
  const terminated = lastTerminated(pods);
  const reason = `Job ${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim();
  if (!terminated) return { state: 'exited', exitCode: UNKNOWN_EXIT, message: reason.slice(0, MESSAGE_CHARS) };
  const detail = [terminated.reason, terminated.message?.trim()].filter(Boolean).join(': ');
  return { state: 'exited', exitCode: terminated.exitCode, message: (detail || reason).slice(-MESSAGE_CHARS) };
}

/** The trainer's terminated state in the most recently started failed pod. */
function lastTerminated(pods: readonly V1Pod[]): { exitCode: number; reason?: string; message?: string } | undefined {
  const failed = pods.filter((p) => p.status?.phase === 'Failed').sort((a, b) => time(b.metadata?.creationTimestamp) - time(a.metadata?.creationTimestamp));
  for (const p of failed) {
    const t = p.status?.containerStatuses?.find((c) => c.name === TRAINER_CONTAINER)?.state?.terminated;
    if (t) return { exitCode: t.exitCode, reason: t.reason, message: t.message };
  }
  return undefined;
}

function time(t: Date | string | undefined): number {
  return t ? new Date(t).getTime() : 0;
}
