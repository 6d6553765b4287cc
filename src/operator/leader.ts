/**
 * Lease-based leader election (coordination.k8s.io/v1), so two operator replicas never reconcile
 * at once. A candidate takes the Lease when it is free or expired (renewTime + duration passed)
 * and renews it every `retryMs`; every write carries the resourceVersion it read, so two
 * candidates racing for an expired Lease cannot both win (the loser gets HTTP 409).
 *
 * Safety does not rest on this alone: the workflow id derives from the resource uid, so even two
 * leaders could not start a second search.
 */
import type { V1Lease } from '@kubernetes/client-node';
import { isConflict } from '../kube/adapter.js';

export interface LeaseApi {
  readLease(namespace: string, name: string): Promise<V1Lease | undefined>;
  createLease(namespace: string, body: V1Lease): Promise<V1Lease>;
  replaceLease(namespace: string, body: V1Lease): Promise<V1Lease>;
}

export interface LeaderOptions {
  api: LeaseApi;
  namespace: string;
  /** Lease name. Default: nasflow-operator. */
  name?: string;
  identity: string;
  /** Seconds a Lease stays valid without renewal. Default: 15. */
  leaseSeconds?: number;
  /** Milliseconds between acquire/renew attempts. Default: 2000. */
  retryMs?: number;
  now(): Date;
  log(message: string): void;
}

export class LeaderElector {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inflight: Promise<void> | undefined;
  private readonly listeners: ((leading: boolean) => void)[] = [];

  constructor(private readonly o: LeaderOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  onChange(f: (leading: boolean) => void): void {
    this.listeners.push(f);
  }

  start(): void {
    const tick = async () => {
      try {
        const leading = await this.tryAcquireOrRenew();
        if (this.stopped) return; // stop() ran while this round was in flight: it releases the Lease
        this.set(leading);
      } catch (err) {
        if (this.stopped) return;
        this.o.log(`leader election: ${err instanceof Error ? err.message : String(err)}`);
        this.set(false);
      }
      this.timer = setTimeout(() => void (this.inflight = tick()), this.o.retryMs ?? 2000);
    };
    this.inflight = tick();
  }

  /** Stops renewing and, when leading, releases the Lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight; // a renewal landing after the release would hold the Lease until it expires
    this.set(false);
    const lease = await this.o.api.readLease(this.o.namespace, this.name);
    if (lease?.spec?.holderIdentity === this.o.identity) {
      lease.spec.holderIdentity = '';
      lease.spec.renewTime = microTime(new Date(0));
      if (lease.spec.acquireTime) lease.spec.acquireTime = microTime(lease.spec.acquireTime);
      await this.o.api.replaceLease(this.o.namespace, lease).catch(() => undefined);
    }
  }

  private get name(): string {
    return this.o.name ?? 'nasflow-operator';
  }

  /** One round: true when this candidate holds the Lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.now();
    const seconds = this.o.leaseSeconds ?? 15;
    const lease = await this.o.api.readLease(this.o.namespace, this.name);
    const spec = { holderIdentity: this.o.identity, leaseDurationSeconds: seconds, renewTime: microTime(now) };
    try {
      if (!lease) {
        await this.o.api.createLease(this.o.namespace, {
          metadata: { name: this.name, namespace: this.o.namespace },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        return true;
      }
      const held = lease.spec?.holderIdentity;
      const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
      const expired = renewed + (lease.spec?.leaseDurationSeconds ?? seconds) * 1000 < now.getTime();
      if (held && held !== this.o.identity && !expired) return false;
      const mine = held === this.o.identity;
      lease.spec = {
        ...lease.spec,
        ...spec,
        ...(mine
          ? { acquireTime: microTime(lease.spec?.acquireTime ?? now) }
          : { acquireTime: microTime(now), leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 }),
      };
      await this.o.api.replaceLease(this.o.namespace, lease);
      return true;
    } catch (err) {
      if (isConflict(err)) return false; // another candidate wrote first
      throw err;
    }
  }

  private set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.o.log(`leader election: ${this.o.identity} ${leading ? 'is now the leader' : 'is no longer the leader'}`);
    for (const f of this.listeners) f(leading);
  }
}

/**
 * Lease times are MicroTime ("…:05.000000Z"); client-node 2.0.1 serialises a Date with
 * milliseconds, which the apiserver rejects, so the times go out as preformatted strings.
 */
function microTime(t: Date | string): Date {
  const iso = new Date(t).toISOString(); // 2026-01-01T00:00:00.123Z
  return `${iso.slice(0, -1)}000Z` as unknown as Date;
}
