/**
 * The operator process: while it holds the leader Lease, an informer (list + watch) keeps a cache
 * of NeuralArchitectureSearch resources and a single work queue reconciles them one at a time.
 *
 * Throttling: an event that changes only the status (the operator's own writes) is skipped, so
 * status mirroring does not feed itself; spec edits, deletions and finalizer changes reconcile at
 * once; every `resyncMs` all cached resources are reconciled again, which is when progress is
 * mirrored into status and when any missed event is repaired.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeAdapter } from '../kube/adapter.js';
import type { NeuralArchitectureSearch } from '../api/resource-spec.js';
import { LeaderElector } from './leader.js';
import { SearchReconciler, type SearchEvents } from './reconciler.js';
import type { PolicyDefaults, TrialPolicy } from '../kube/trial-policy.js';
import type { SearchControl } from './search-control.js';

export interface OperatorOptions {
  kube: KubeAdapter;
  temporal: SearchControl;
  temporalNamespace: string;
  /** Watch one namespace only. Default: all namespaces. */
  watchNamespace?: string;
  /** Namespace of the leader Lease. */
  leaseNamespace: string;
  identity: string;
  uiUrl?: string;
  /** Milliseconds between full resyncs (status mirroring). Default: 5000. */
  resyncMs?: number;
  /** Lease duration in seconds. Default: 15. */
  leaseSeconds?: number;
  /** Milliseconds between Lease renewals. Default: 2000. */
  leaseRetryMs?: number;
  now(): Date;
  log(message: string): void;
  /** The admin's trial policy; unset: no policy beyond the CRD's validation. */
  policy?: TrialPolicy;
  policyDefaults?: PolicyDefaults;
  /** Where Events go (an EventRecorder); unset: none are recorded. */
  events?: SearchEvents;
}

type Obj = NeuralArchitectureSearch & KubernetesObject;

export class Operator {
  readonly elector: LeaderElector;
  private readonly reconciler: SearchReconciler;
  private informer: ReturnType<KubeAdapter['searchInformer']> | undefined;
  private resync: NodeJS.Timeout | undefined;
  private readonly queue = new Set<string>();
  private readonly seen = new Map<string, string>();
  private draining: Promise<void> | undefined;
  private stopped = false;
  /** Reconciles done (for tests and logs). */
  reconciles = 0;
  /** Reconciles that threw (retried at the next resync). */
  reconcileErrors = 0;

  constructor(private readonly o: OperatorOptions) {
    this.reconciler = new SearchReconciler({
      kube: o.kube, temporal: o.temporal, now: o.now, temporalNamespace: o.temporalNamespace, log: o.log, ...(o.uiUrl ? { uiUrl: o.uiUrl } : {}),
      ...(o.policy ? { policy: o.policy } : {}), ...(o.policyDefaults ? { policyDefaults: o.policyDefaults } : {}), ...(o.events ? { events: o.events } : {}),
    });
    this.elector = new LeaderElector({
      api: o.kube, namespace: o.leaseNamespace, identity: o.identity, now: o.now, log: o.log,
      ...(o.leaseSeconds ? { leaseSeconds: o.leaseSeconds } : {}), ...(o.leaseRetryMs ? { retryMs: o.leaseRetryMs } : {}),
    });
    this.elector.onChange((leading) => void (leading ? this.lead() : this.follow()));
  }

  /** The phases of the cached resources (empty while not leading). */
  phases(): string[] {
    return (this.informer?.list() ?? []).map((o) => o.status?.phase ?? '');
  }

  start(): void {
    this.elector.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.follow();
    await this.elector.stop();
  }

  private async lead(): Promise<void> {
    if (this.stopped || this.informer) return;
    const informer = this.o.kube.searchInformer(this.o.watchNamespace);
    this.informer = informer;
    const onEvent = (obj: Obj) => this.enqueue(obj, false);
    informer.on('add', onEvent);
    informer.on('update', onEvent);
    informer.on('error', (err: unknown) => {
      if (this.informer !== informer) return; // stopped on purpose (lost the lead)
      this.o.log(`informer: ${err instanceof Error ? err.message : String(err)}; restarting`);
      setTimeout(() => void (this.informer === informer && informer.start().catch(() => undefined)), 1000);
    });
    await informer.start();
    this.resync = setInterval(() => {
      for (const obj of informer.list()) this.enqueue(obj, true);
    }, this.o.resyncMs ?? 5000);
  }

  private async follow(): Promise<void> {
    clearInterval(this.resync);
    this.resync = undefined;
    const informer = this.informer;
    this.informer = undefined;
    this.queue.clear();
    await informer?.stop();
    await this.draining;
  }

  /** Queues a resource unless the event changed nothing but its status (and this is no resync). */
  private enqueue(obj: Obj, resync: boolean): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const shape = JSON.stringify([obj.metadata.uid, obj.metadata.generation, obj.metadata.deletionTimestamp ?? null, obj.metadata.finalizers ?? []]);
    if (!resync && this.seen.get(key) === shape) return;
    this.seen.set(key, shape);
    this.queue.add(key);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && this.informer) {
      const key = this.queue.values().next().value!;
      this.queue.delete(key);
      const [namespace, name] = key.split('/');
      const obj = this.informer.get(name, namespace) as Obj | undefined;
      if (!obj) {
        this.seen.delete(key);
        continue;
      }
      try {
        await this.reconciler.reconcile(obj);
        this.reconciles++;
      } catch (err) {
        // Next resync retries; forget the shape so the next event is not skipped either.
        this.seen.delete(key);
        this.reconcileErrors++;
        this.o.log(`${key}: reconcile failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
