/**
 * Reconciles one NeuralArchitectureSearch (level-triggered: the same call for add, update and
 * resync events, so a missed event is repaired by the next resync):
 *
 * 1. Deleting → cancel the workflow, delete the resource's Jobs, remove the finalizer.
 * 2. No finalizer → add it (before anything can create Jobs).
 * 3. Invalid spec, or one the cluster's trial policy forbids (src/kube/trial-policy.ts) → status
 *    Failed with an InvalidSpec condition naming the field, and a Warning Event.
 * 4. No workflow yet → start it; its id derives from the uid, so a duplicate start is refused.
 * 5. Running → map spec edits (parallelism, maxTrials, suspend) to workflow updates.
 * 6. Mirror progress into status (the caller throttles how often this runs per resource); a phase
 *    change is also recorded as an Event.
 */
import type { SearchProgress } from '../common/search-types.js';
import { workflowIdFor } from '../common/ids.js';
import { LABEL_SEARCH } from '../kube/trial-job.js';
import type { EventTarget } from '../kube/event-recorder.js';
import { policyViolations, searchGpuViolations, gpusPerTrial, violationMessage, type PolicyDefaults, type TrialPolicy } from '../kube/trial-policy.js';
import {
  API_VERSION,
  KIND,
  FINALIZER,
  parseResourceSpec,
  resourceSearchId,
  searchSpecOf,
  type NeuralArchitectureSearch,
  type ResourceSpec,
  type ResourceStatus,
} from '../api/resource-spec.js';
import { isSpecError } from '../api/search-spec.js';
import type { SearchControl } from './search-control.js';
import { trialEvents } from './trial-events.js';
import { buildStatus, sameStatus, truncate, type WorkflowView } from './status.js';

/** The apiserver calls the reconciler makes (KubeAdapter implements them). */
export interface OperatorKubeApi {
  patchSearchStatus(namespace: string, name: string, status: ResourceStatus): Promise<void>;
  setSearchFinalizers(s: NeuralArchitectureSearch, finalizers: string[]): Promise<void>;
  listJobs(namespace: string, labelSelector: string): Promise<{ metadata?: { name?: string; ownerReferences?: { uid: string }[] } }[]>;
  deleteJob(namespace: string, name: string): Promise<void>;
}

/** Where the reconciler records Events (EventRecorder: deduplicated and bounded). */
export interface SearchEvents {
  record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, action: string, note: string): Promise<void>;
}

export interface ReconcilerDeps {
  kube: OperatorKubeApi;
  temporal: SearchControl;
  now(): Date;
  /** Temporal UI base URL (e.g. http://temporal-ui:8080) for status.workflowUrl. */
  uiUrl?: string;
  temporalNamespace: string;
  log(message: string): void;
  /** The admin's trial policy (Helm values policy); unset: everything the CRD accepts is allowed. */
  policy?: TrialPolicy;
  /** The worker's defaults, which the policy always allows. */
  policyDefaults?: PolicyDefaults;
  events?: SearchEvents;
}

const CLOSED: Record<string, 'Succeeded' | 'Failed' | 'Cancelled'> = {
  COMPLETED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Failed',
  CANCELLED: 'Cancelled',
  TERMINATED: 'Cancelled',
};

export class SearchReconciler {
  constructor(private readonly d: ReconcilerDeps) {}

  async reconcile(s: NeuralArchitectureSearch): Promise<void> {
    const { namespace, name, uid } = s.metadata;
    const searchId = resourceSearchId(namespace, name, uid);
    const finalizers = s.metadata.finalizers ?? [];
    if (s.metadata.deletionTimestamp) {
      if (finalizers.includes(FINALIZER)) await this.finalize(s, searchId, finalizers);
      return;
    }
    if (!finalizers.includes(FINALIZER)) {
      await this.d.kube.setSearchFinalizers(s, [...finalizers, FINALIZER]);
      return; // the update event brings the resource back with its finalizer
    }
    let spec: ResourceSpec;
    try {
      spec = parseResourceSpec(s.spec);
    } catch (err) {
      if (!isSpecError(err)) throw err;
      return this.writeStatus(s, searchId, { kind: 'invalid', message: err.message });
    }
    let wf = await this.d.temporal.describe(searchId);
    if (!wf && !s.status?.workflowId && this.d.policy) {
      // Checked before the first start only: a search admitted earlier keeps running if the policy tightens.
      const violations = policyViolations(spec, this.d.policy, this.d.policyDefaults);
      if (violations.length > 0) {
        const message = violationMessage(violations);
        await this.event(s, 'Warning', 'PolicyRejected', 'Validate', message);
        return this.writeStatus(s, searchId, { kind: 'invalid', reason: 'PolicyRejected', message });
      }
    }
    if (!wf && !s.status?.workflowId) {
      const how = await this.d.temporal.start(searchId, searchSpecOf(name, spec));
      this.d.log(`${namespace}/${name}: ${how === 'started' ? 'started' : 'found running'} workflow ${workflowIdFor(searchId)}`);
      wf = await this.d.temporal.describe(searchId);
    }
    // Started once but unknown to Temporal now (history past retention): keep the last status.
    if (!wf && s.status?.workflowId) return;
    if (!wf) return this.writeStatus(s, searchId, { kind: 'none' });
    const outcome = CLOSED[wf.status];
    if (outcome) {
      if (s.status?.completionTime && s.status.observedGeneration === s.metadata.generation) return; // final status written
      const o = await this.d.temporal.outcome(searchId);
      return this.writeStatus(s, searchId, {
        kind: 'closed',
        outcome,
        ...(o.progress ? { progress: o.progress } : {}),
        ...(o.message ? { message: o.message } : {}),
        ...(wf.closeTime ? { closedAt: wf.closeTime } : {}),
      });
    }
    let progress = await this.d.temporal.progress(searchId);
    if (await this.applyEdits(s, searchId, spec, progress)) progress = await this.d.temporal.progress(searchId);
    return this.writeStatus(s, searchId, { kind: 'running', progress, suspended: spec.suspend });
  }

  /** Sends the workflow the updates that bring it to the spec; true when it sent any. */
  private async applyEdits(s: NeuralArchitectureSearch, searchId: string, spec: ResourceSpec, p: SearchProgress): Promise<boolean> {
    const { parallelism, maxTrials } = spec.budget;
    let sent = false;
    const attempt = async (what: string, f: () => Promise<void>) => {
      try {
        await f();
        sent = true;
        this.d.log(`${s.metadata.namespace}/${s.metadata.name}: ${what}`);
      } catch (err) {
        // A rejected update (e.g. maxTrials below the trials already done) is reported, not retried in a loop.
        this.d.log(`${s.metadata.namespace}/${s.metadata.name}: ${what} rejected: ${truncate(err instanceof Error ? err.message : String(err), 300)}`);
      }
    };
    if (p.phase === 'Stopping' || p.phase === 'Cancelled') return false;
    const overGpus = this.d.policy ? searchGpuViolations(gpusPerTrial(spec.template.resources), parallelism, this.d.policy) : [];
    if (p.parallelism !== parallelism && overGpus.length > 0) {
      await this.event(
        s,
        'Warning',
        'PolicyRejected',
        'SetParallelism',
        `parallelism ${p.parallelism} -> ${parallelism} not applied: ${violationMessage(overGpus)}`,
      );
    } else if (p.parallelism !== parallelism)
      await attempt(`parallelism ${p.parallelism} -> ${parallelism}`, () => this.d.temporal.setParallelism(searchId, parallelism));
    if (p.maxTrials !== maxTrials) await attempt(`maxTrials ${p.maxTrials} -> ${maxTrials}`, () => this.d.temporal.setMaxTrials(searchId, maxTrials));
    if (spec.suspend && p.phase !== 'Paused') await attempt('suspended', () => this.d.temporal.pause(searchId));
    if (!spec.suspend && p.phase === 'Paused') await attempt('resumed', () => this.d.temporal.resume(searchId));
    return sent;
  }

  private async writeStatus(s: NeuralArchitectureSearch, searchId: string, view: WorkflowView): Promise<void> {
    const workflowId = workflowIdFor(searchId);
    const next = buildStatus({
      previous: s.status,
      generation: s.metadata.generation ?? 0,
      workflowId,
      view,
      now: this.d.now(),
      ...(this.d.uiUrl
        ? { workflowUrl: `${this.d.uiUrl.replace(/\/+$/, '')}/namespaces/${this.d.temporalNamespace}/workflows/${encodeURIComponent(workflowId)}` }
        : {}),
    });
    if (sameStatus(s.status, next)) return;
    await this.d.kube.patchSearchStatus(s.metadata.namespace, s.metadata.name, next);
    if ('progress' in view && view.progress) {
      for (const e of trialEvents(s.status?.trials, view.progress)) await this.event(s, e.type, e.reason, e.action, e.note);
    }
    if (next.phase && next.phase !== s.status?.phase) {
      const failed = next.phase === 'Failed';
      await this.event(
        s,
        failed ? 'Warning' : 'Normal',
        failed ? 'SearchFailed' : `Search${next.phase}`,
        'UpdateStatus',
        `phase ${s.status?.phase ?? 'none'} -> ${next.phase}${next.message ? `: ${next.message}` : ''}`,
      );
    }
  }

  private async event(s: NeuralArchitectureSearch, type: 'Normal' | 'Warning', reason: string, action: string, note: string): Promise<void> {
    const { namespace, name, uid } = s.metadata;
    await this.d.events?.record({ apiVersion: API_VERSION, kind: KIND, namespace, name, uid }, type, reason, action, note);
  }

  /** Cancels the workflow, deletes the resource's Jobs (only those it owns), then lets it go. */
  private async finalize(s: NeuralArchitectureSearch, searchId: string, finalizers: string[]): Promise<void> {
    const { namespace, name, uid } = s.metadata;
    await this.d.temporal.cancel(searchId);
    const jobs = await this.d.kube.listJobs(namespace, `${LABEL_SEARCH}=${name}`);
    for (const j of jobs) {
      if (j.metadata?.ownerReferences?.some((o) => o.uid === uid)) await this.d.kube.deleteJob(namespace, j.metadata.name!);
    }
    await this.d.kube.setSearchFinalizers(
      s,
      finalizers.filter((f) => f !== FINALIZER),
    );
    this.d.log(`${namespace}/${name}: cancelled workflow ${workflowIdFor(searchId)}, deleted ${jobs.length} Jobs, removed finalizer`);
  }
}
