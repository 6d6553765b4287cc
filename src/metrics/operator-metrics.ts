/**
 * The operator's Prometheus metrics: whether this replica leads, reconciles and their failures,
 * searches by phase (from the informer's cache), and the Events it recorded or held back.
 * Gauges that mirror state are collected at scrape time, so they never go stale.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetricsSource {
  isLeader(): boolean;
  /** The phases of the cached resources (empty on a standby). */
  phases(): string[];
  /** EventRecorder.stats. */
  events(): { created: number; patched: number; dropped: number };
  /** Reconciles since start that finished and that threw. */
  reconciles(): { ok: number; error: number };
}

export function createOperatorMetrics(src: OperatorMetricsSource, opts: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'nasflow_operator_' });
  const registers = [registry];
  new Gauge({
    name: 'nasflow_operator_leader',
    help: '1 while this replica holds the leader Lease.',
    registers,
    collect() {
      this.set(src.isLeader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'nasflow_searches',
    help: 'NeuralArchitectureSearch resources by phase (reported by the leader).',
    labelNames: ['phase'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of src.phases()) this.inc({ phase: p || 'None' });
    },
  });
  new Gauge({
    name: 'nasflow_operator_events',
    help: 'Kubernetes Events: created, series patches, and dropped by the per-search budget (since start).',
    labelNames: ['result'] as const,
    registers,
    collect() {
      const s = src.events();
      for (const [result, n] of Object.entries(s)) this.set({ result }, n);
    },
  });
  new Counter({
    name: 'nasflow_operator_reconciles_total',
    help: 'Reconciles by result (ok; error: retried at the next resync).',
    labelNames: ['result'] as const,
    registers,
    collect() {
      // The operator counts; the counter reports its totals (monotonic, so reset + inc is exact).
      this.reset();
      for (const [result, n] of Object.entries(src.reconciles())) this.inc({ result }, n);
    },
  });
  return registry;
}
