/**
 * Kubernetes Events (events.k8s.io/v1) on a NeuralArchitectureSearch, bounded so that a search of
 * 20,000 trials cannot flood etcd. Conditions stay the summary; Events tell what happened when.
 *
 * Bounds, in the spirit of client-go's EventRecorder:
 * - Dedupe: the same (object, reason, note) within `windowMs` is one Event whose `series.count`
 *   grows; the series is patched at most once per `seriesPatchMs`, so a flapping cause costs one
 *   object and a few patches.
 * - Budget: at most `maxPerObject` distinct Events per object per window; past it one Warning
 *   `EventsThrottled` is written and the rest are counted, not sent (a 20,000-trial search whose
 *   trials all fail writes tens of Events per window, not 20,000).
 * - Memory: entries older than the window are pruned, so the recorder's map stays bounded too.
 * Sending never throws: an Event is worth less than the reconcile or the activity that records it.
 */
import { V1MicroTime, type EventsV1Event } from '@kubernetes/client-node';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

/** The two calls the recorder makes (KubeAdapter implements them). */
export interface EventsApi {
  createEvent(namespace: string, event: EventsV1Event): Promise<string>;
  patchEventSeries(namespace: string, name: string, series: { count: number; lastObservedTime: Date }): Promise<void>;
}

export interface EventRecorderOptions {
  api: EventsApi;
  /** reportingController, e.g. nasflow.io/operator. */
  controller: string;
  /** reportingInstance: the pod name. */
  instance: string;
  now(): Date;
  log?(line: string): void;
  /** Default: 10 minutes. */
  windowMs?: number;
  /** Distinct Events per object per window. Default: 25. */
  maxPerObject?: number;
  /** Default: 60 s. */
  seriesPatchMs?: number;
}

interface Seen {
  /** The created Event's name; undefined while the create is in flight. */
  name?: string;
  count: number;
  first: number;
  patchedAt: number;
}

interface Budget {
  since: number;
  used: number;
  throttled: boolean;
  dropped: number;
}

const NOTE_MAX = 1024;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly budgets = new Map<string, Budget>();
  private readonly windowMs: number;
  private readonly maxPerObject: number;
  private readonly seriesPatchMs: number;
  private sequence = 0;
  /** Events created, series patches sent, and events dropped by the budget (for tests and metrics). */
  readonly stats = { created: 0, patched: 0, dropped: 0 };

  constructor(private readonly o: EventRecorderOptions) {
    this.windowMs = o.windowMs ?? 600_000;
    this.maxPerObject = o.maxPerObject ?? 25;
    this.seriesPatchMs = o.seriesPatchMs ?? 60_000;
  }

  /** Records one occurrence; resolves when sent (or skipped), never rejects. */
  async record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, action: string, note: string): Promise<void> {
    const now = this.o.now().getTime();
    this.prune(now);
    const key = `${target.uid}\u0000${reason}\u0000${note}`;
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      if (prev.name && now - prev.patchedAt >= this.seriesPatchMs) {
        prev.patchedAt = now;
        await this.send(() => this.o.api.patchEventSeries(target.namespace, prev.name!, { count: prev.count, lastObservedTime: new Date(now) }), 'patched');
      }
      return;
    }
    const budget = this.budgetOf(target.uid, now);
    if (budget.used >= this.maxPerObject) {
      budget.dropped++;
      this.stats.dropped++;
      if (budget.throttled) return;
      budget.throttled = true;
      note = `more than ${this.maxPerObject} distinct events in ${Math.round(this.windowMs / 60_000)} minutes; further events are counted, not recorded, until the window ends`;
      reason = 'EventsThrottled';
      type = 'Warning';
    } else {
      budget.used++;
    }
    const entry: Seen = { count: 1, first: now, patchedAt: now };
    this.seen.set(key, entry);
    await this.send(async () => {
      entry.name = await this.o.api.createEvent(target.namespace, this.event(target, type, reason, action, note, now));
    }, 'created');
  }

  private event(t: EventTarget, type: string, reason: string, action: string, note: string, now: number): EventsV1Event {
    return {
      // Named as client-go names them (<object>.<hex time>; a counter keeps names unique within a millisecond).
      metadata: { name: `${t.name.slice(0, 200)}.${(BigInt(now) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(16)}`, namespace: t.namespace },
      eventTime: new V1MicroTime(now), // serialises with the six fractional digits the apiserver requires
      reportingController: this.o.controller,
      reportingInstance: this.o.instance.slice(0, 128),
      action,
      reason,
      type,
      note: note.length <= NOTE_MAX ? note : `${note.slice(0, NOTE_MAX - 3)}...`,
      regarding: { apiVersion: t.apiVersion, kind: t.kind, namespace: t.namespace, name: t.name, uid: t.uid },
    };
  }

  private budgetOf(uid: string, now: number): Budget {
    let b = this.budgets.get(uid);
    if (!b || now - b.since >= this.windowMs) {
      if (b && b.dropped > 0) this.o.log?.(`events: ${b.dropped} events of ${uid} were counted but not recorded in the last window`);
      b = { since: now, used: 0, throttled: false, dropped: 0 };
      this.budgets.set(uid, b);
    }
    return b;
  }

  private prune(now: number): void {
    for (const [k, v] of this.seen) if (now - v.first >= this.windowMs) this.seen.delete(k);
    for (const [k, v] of this.budgets) if (now - v.since >= this.windowMs && v.dropped === 0) this.budgets.delete(k);
  }

  private async send(f: () => Promise<void>, what: 'created' | 'patched'): Promise<void> {
    try {
      await f();
      this.stats[what]++;
    } catch (err) {
      this.o.log?.(`events: could not record an event (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}
