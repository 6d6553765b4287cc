/**
 * The resource status as a pure function of what the operator observed (docs/style.md principle 9):
 * phase, conditions keyed by type with observedGeneration, counts, the best trial and the
 * workflow link. Never a per-trial list. Conditions keep their lastTransitionTime while their
 * status does not change, so re-mirroring the same progress writes nothing.
 */
import { oneShotStageText } from '../common/one-shot-stage.js';
import type { FinalProgress, SearchProgress } from '../common/search-types.js';
import { CONDITION, LIMITS, type Condition, type ResourcePhase, type ResourceStatus } from '../api/resource-spec.js';

/** What the operator knows about the workflow of a resource. */
export type WorkflowView =
  | { kind: 'none' }
  | { kind: 'invalid'; message: string; /** Condition reason. Default: SpecRejected. */ reason?: string }
  | { kind: 'running'; progress: SearchProgress; suspended: boolean }
  | { kind: 'closed'; outcome: 'Succeeded' | 'Failed' | 'Cancelled'; progress?: SearchProgress; message?: string; closedAt?: Date };

export interface StatusInput {
  previous: ResourceStatus | undefined;
  generation: number;
  workflowId: string;
  workflowUrl?: string;
  view: WorkflowView;
  now: Date;
}

export function truncate(s: string, max: number = LIMITS.messageChars): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

/** Sets one condition by type; the transition time moves only when the status changes. */
export function setCondition(list: readonly Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition[] {
  const prev = (list ?? []).find((x) => x.type === c.type);
  const next: Condition = {
    ...c,
    message: truncate(c.message),
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString(),
  };
  return [...(list ?? []).filter((x) => x.type !== c.type), next].sort((a, b) => a.type.localeCompare(b.type));
}

const decimal = (x: number): string => x.toFixed(2);

export function buildStatus(i: StatusInput): ResourceStatus {
  const g = i.generation;
  const cond = (list: Condition[] | undefined, type: string, status: Condition['status'], reason: string, message: string) =>
    setCondition(list, { type, status, reason, message, observedGeneration: g }, i.now);
  const base: ResourceStatus = { ...(i.previous ?? {}), observedGeneration: g };
  let conditions = i.previous?.conditions;
  const v = i.view;
  if (v.kind === 'invalid') {
    conditions = cond(conditions, CONDITION.InvalidSpec, 'True', v.reason ?? 'SpecRejected', v.message);
    return { ...base, phase: 'Failed', message: truncate(v.message), conditions };
  }
  if (v.kind === 'none') {
    return { ...base, phase: 'Pending', conditions: cond(conditions, CONDITION.WorkflowStarted, 'False', 'Starting', 'starting the search workflow') };
  }
  conditions = cond(conditions, CONDITION.WorkflowStarted, 'True', 'WorkflowRunning', `workflow ${i.workflowId}`);
  const out: ResourceStatus = { ...base, workflowId: i.workflowId, startTime: i.previous?.startTime ?? i.now.toISOString() };
  if (i.workflowUrl) out.workflowUrl = i.workflowUrl;
  if (v.progress) {
    const p = v.progress;
    out.algorithm = p.algorithm;
    const completed = p.counts.succeeded + p.counts.failed;
    out.trials = {
      succeeded: p.counts.succeeded,
      failed: p.counts.failed,
      running: p.counts.running,
      completed,
      infraRetries: p.counts.infraRetries,
      maxTrials: p.maxTrials,
    };
    if (p.best) {
      out.best = { trialId: p.best.trialId, accuracy: decimal(p.best.accuracy), summary: truncate(p.best.summary) };
      if (p.best.testAccuracy !== undefined) out.best.testAccuracy = decimal(p.best.testAccuracy);
    }
    if (p.final) out.final = finalStatus(p.final);
  }
  if (v.kind === 'running') {
    const p = v.progress;
    // The workflow reports its final phase a moment before it closes; until Temporal shows it
    // closed (with its result or failure message), the resource says Stopping.
    const terminal = p.phase === 'Succeeded' || p.phase === 'Failed' || p.phase === 'Cancelled';
    const phase: ResourcePhase = terminal ? 'Stopping' : v.suspended && p.phase === 'Paused' ? 'Suspended' : (p.phase as ResourcePhase);
    out.phase = phase;
    const launching = phase === 'Running' || phase === 'Initializing';
    const stage =
      p.final && p.final.stage !== 'done'
        ? `final training ${out.final!.succeeded + out.final!.failed}/${p.final.trials.length}; `
        : p.oneShot && p.oneShot.stage !== 'children'
          ? `${oneShotStageText(p.oneShot)}; `
          : '';
    conditions = cond(
      conditions,
      CONDITION.Running,
      launching ? 'True' : 'False',
      launching ? 'TrialsLaunching' : phase,
      `${stage}${p.counts.running} trials running, ${p.counts.succeeded + p.counts.failed}/${p.maxTrials} done`,
    );
    conditions = cond(conditions, CONDITION.Finished, 'False', 'InProgress', 'the search is in progress');
    delete out.message;
    return { ...out, conditions };
  }
  out.phase = v.outcome;
  if (v.message) out.message = truncate(v.message);
  out.completionTime = i.previous?.completionTime ?? (v.closedAt ?? i.now).toISOString();
  conditions = cond(conditions, CONDITION.Running, 'False', v.outcome, 'no trials are running');
  conditions = cond(conditions, CONDITION.Finished, 'True', v.outcome, v.message ?? `the search ${v.outcome.toLowerCase()}`);
  return { ...out, conditions };
}

/** The final stage as a summary: counts and the best final training (never a per-trial list). */
function finalStatus(f: FinalProgress): NonNullable<ResourceStatus['final']> {
  const count = (status: string) => f.trials.filter((t) => t.status === status).length;
  const out: NonNullable<ResourceStatus['final']> = { stage: f.stage, succeeded: count('succeeded'), failed: count('failed'), total: f.trials.length };
  const best = f.trials.filter((t) => t.accuracy !== undefined).sort((a, b) => b.accuracy! - a.accuracy! || (a.trialId < b.trialId ? -1 : 1))[0];
  if (best) {
    out.best = { trialId: best.trialId, sourceTrialId: best.sourceTrialId, accuracy: decimal(best.accuracy!), searchAccuracy: decimal(best.searchAccuracy) };
    if (best.testAccuracy !== undefined) out.best.testAccuracy = decimal(best.testAccuracy);
  }
  return out;
}

/** Whether two statuses differ in anything but key order (skips no-op status writes). */
export function sameStatus(a: ResourceStatus | undefined, b: ResourceStatus): boolean {
  return canonical(a ?? {}) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${k}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
