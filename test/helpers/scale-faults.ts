/**
 * The scale bench's fault schedule, keyed by progress (the fraction of trials finished) so the
 * same faults land at the same point of the search on a fast or a loaded machine:
 * worker SIGKILL x3 (replaced at once, as a Deployment would), one worker rollout (new worker up,
 * then SIGTERM to the old one), the operator killed once, 5 % of the GPU nodes deleted (their pods
 * are lost), and 1 % of trial pods evicted, spread over the run. Choices are seeded.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { Rng } from '../../src/common/rng.js';
import type { ServiceProcess } from '../../src/dev/service.js';
import type { ScaleStack } from './scale-stack.js';

export type FaultKind = 'worker-kill' | 'worker-roll' | 'operator-kill' | 'delete-nodes' | 'evict';

export interface PlannedFault {
  at: number;
  kind: FaultKind;
}

export interface FaultRecord {
  kind: FaultKind;
  at: number;
  elapsedS: number;
  detail: string;
}

/** The plan for `trials` trials on `nodes` nodes, in progress order. */
export function faultPlan(trials: number): PlannedFault[] {
  const plan: PlannedFault[] = [
    { at: 0.15, kind: 'worker-kill' },
    { at: 0.3, kind: 'operator-kill' },
    { at: 0.4, kind: 'worker-kill' },
    { at: 0.5, kind: 'delete-nodes' },
    { at: 0.55, kind: 'worker-roll' },
    { at: 0.65, kind: 'worker-kill' },
  ];
  const evictions = Math.max(1, Math.round(trials * 0.01));
  for (let i = 0; i < evictions; i++) plan.push({ at: 0.05 + (0.85 * (i + 0.5)) / evictions, kind: 'evict' });
  return plan.sort((a, b) => a.at - b.at);
}

export class FaultDriver {
  private readonly core: CoreV1Api;
  private readonly rng: Rng;
  private readonly plan: PlannedFault[];
  private busy = false;
  readonly done: FaultRecord[] = [];
  readonly deletedNodes: string[] = [];

  constructor(
    kc: KubeConfig,
    private readonly stack: ScaleStack,
    private readonly procs: { worker: ServiceProcess; operator: ServiceProcess },
    private readonly o: { trials: number; nodes: readonly string[]; seed: number; t0: number; log: (line: string) => void; runningPods: () => V1Pod[] },
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.rng = Rng.seeded(o.seed);
    this.plan = faultPlan(o.trials);
  }

  get planned(): number {
    return this.plan.length + this.done.length;
  }

  /** Runs every fault whose point has come (one at a time; a slow one delays the next). */
  async tick(progress: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.plan[0] !== undefined && this.plan[0].at <= progress) {
        const f = this.plan.shift()!;
        const detail = await this.run(f.kind);
        const rec = { kind: f.kind, at: progress, elapsedS: (Date.now() - this.o.t0) / 1000, detail };
        this.done.push(rec);
        if (f.kind !== 'evict') this.o.log(`fault ${f.kind} at ${(100 * progress).toFixed(1)} %: ${detail}`);
      }
    } finally {
      this.busy = false;
    }
  }

  private async run(kind: FaultKind): Promise<string> {
    if (kind === 'worker-kill') {
      const old = this.procs.worker;
      await this.stack.signal(old, 'SIGKILL');
      this.procs.worker = this.stack.startNasflow('worker');
      return `SIGKILL to pid ${old.pid}; pid ${this.procs.worker.pid} started`;
    }
    if (kind === 'worker-roll') {
      const old = this.procs.worker;
      this.procs.worker = this.stack.startNasflow('worker');
      const t = Date.now();
      await this.stack.signal(old, 'SIGTERM');
      return `pid ${this.procs.worker.pid} started, then SIGTERM to pid ${old.pid} (exited after ${((Date.now() - t) / 1000).toFixed(1)} s)`;
    }
    if (kind === 'operator-kill') {
      const old = this.procs.operator;
      await this.stack.signal(old, 'SIGKILL');
      this.procs.operator = this.stack.startNasflow('operator');
      return `SIGKILL to pid ${old.pid}; pid ${this.procs.operator.pid} started`;
    }
    if (kind === 'delete-nodes') return this.deleteNodes();
    return this.evict();
  }

  /** Deletes 5 % of the nodes, those running trial pods first, so pods are really lost. */
  private async deleteNodes(): Promise<string> {
    const count = Math.max(1, Math.round(this.o.nodes.length * 0.05));
    const busy = [
      ...new Set(
        this.o
          .runningPods()
          .map((p) => p.spec?.nodeName)
          .filter((n): n is string => !!n),
      ),
    ];
    const victims = this.rng.shuffle([...busy]).slice(0, count);
    const pods = this.o.runningPods().filter((p) => victims.includes(p.spec?.nodeName ?? '')).length;
    for (const name of victims) {
      await this.core.deleteNode({ name });
      this.deletedNodes.push(name);
    }
    return `${victims.length} nodes deleted with ${pods} running trial pods on them`;
  }

  private async evict(): Promise<string> {
    const running = this.o.runningPods();
    if (running.length === 0) return 'no running pod to evict';
    const pod = running[this.rng.int(running.length)]!;
    const { name, namespace } = pod.metadata!;
    try {
      await this.core.createNamespacedPodEviction({ namespace: namespace!, name: name!, body: { metadata: { name, namespace } } });
      return `evicted ${name}`;
    } catch (err) {
      return `eviction of ${name} refused: ${err instanceof Error ? err.message.slice(0, 120) : String(err)}`;
    }
  }
}
