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
  /** Watch these namespaces only (one informer each; namespaced RBAC suffices). Default: watchNamespace, else all. */
  watchNamespaces?: string[];
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
  /** One informer per watched namespace ('' for all namespaces); undefined while not leading. */
  private informers: Map<string, ReturnType<KubeAdapter['searchInformer']>> | undefined;
  private resync: NodeJS.Timeout | undefined;
  /** Resources to reconcile, keyed `namespace/name` (one entry each), in arrival order. */
  private readonly queue = new Map<string, { namespace: string; name: string }>();
  private readonly seen = new Map<string, string>();
  private draining: Promise<void> | undefined;
  private stopped = false;
  /** Reconciles done (for tests and logs). */
  reconciles = 0;
  /** Reconciles that threw (retried at the next resync). */
  reconcileErrors = 0;

  constructor(private readonly o: OperatorOptions) {
    this.reconciler = new SearchReconciler({
      kube: o.kube,
      temporal: o.temporal,
      now: o.now,
      temporalNamespace: o.temporalNamespace,
      log: o.log,
      ...(o.uiUrl ? { uiUrl: o.uiUrl } : {}),
      ...(o.policy ? { policy: o.policy } : {}),
      ...(o.policyDefaults ? { policyDefaults: o.policyDefaults } : {}),
      ...(o.events ? { events: o.events } : {}),
    });
    this.elector = new LeaderElector({
      api: o.kube,
      namespace: o.leaseNamespace,
      identity: o.identity,
      now: o.now,
      log: o.log,
      ...(o.leaseSeconds ? { leaseSeconds: o.leaseSeconds } : {}),
      ...(o.leaseRetryMs ? { retryMs: o.leaseRetryMs } : {}),
    });
    this.elector.onChange((leading) => void (leading ? this.lead() : this.follow()));
  }

  /** The phases of the cached resources (empty while not leading). */
  phases(): string[] {
    return this.cached().map((o) => o.status?.phase ?? '');
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
    if (this.stopped || this.informers) return;
    const namespaces = this.o.watchNamespaces?.length ? this.o.watchNamespaces : [this.o.watchNamespace ?? ''];
    const informers = new Map(namespaces.map((ns) => [ns, this.o.kube.searchInformer(ns || undefined)] as const));
    this.informers = informers;
    const onEvent = (obj: Obj) => this.enqueue(obj, false);
    for (const [ns, informer] of informers) {
      informer.on('add', onEvent);
      informer.on('update', onEvent);
      informer.on('error', (err: unknown) => {
        if (this.informers !== informers) return; // stopped on purpose (lost the lead)
        this.o.log(`informer${ns ? ` (${ns})` : ''}: ${err instanceof Error ? err.message : String(err)}; restarting`);
        setTimeout(() => void (this.informers === informers && informer.start().catch(() => undefined)), 1000);
      });
    }
    await Promise.all([...informers.values()].map((i) => i.start()));
    this.resync = setInterval(() => {
      for (const obj of this.cached()) this.enqueue(obj, true);
    }, this.o.resyncMs ?? 5000);
  }

  private async follow(): Promise<void> {
    clearInterval(this.resync);
    this.resync = undefined;
    const informers = this.informers;
    this.informers = undefined;
    this.queue.clear();
    await Promise.all([...(informers?.values() ?? [])].map((i) => i.stop()));
    await this.draining;
  }

  /** Every cached resource across the watched namespaces. */
  private cached(): Obj[] {
    return [...(this.informers?.values() ?? [])].flatMap((i) => i.list());
  }

  private cachedGet(name: string, namespace: string): Obj | undefined {
    const i = this.informers?.get(namespace) ?? this.informers?.get('');
    return i?.get(name, namespace) as Obj | undefined;
  }

  /** Queues a resource unless the event changed nothing but its status (and this is no resync). */
  private enqueue(obj: Obj, resync: boolean): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const shape = JSON.stringify([obj.metadata.uid, obj.metadata.generation, obj.metadata.deletionTimestamp ?? null, obj.metadata.finalizers ?? []]);
    if (!resync && this.seen.get(key) === shape) return;
    this.seen.set(key, shape);
    this.queue.set(key, { namespace: obj.metadata.namespace, name: obj.metadata.name });
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && this.informers) {
      const [key, { namespace, name }] = this.queue.entries().next().value!;
      this.queue.delete(key);
      const obj = this.cachedGet(name, namespace);
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
