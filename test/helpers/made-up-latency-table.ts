/**
 * A latency table file around a space's profile plan (nasnet: at the macro `cells`, default the
 * space's) with made-up part timings (1 ms + the part's index / 100, call overhead 0.5 ms): for
 * tests that need a table's shape and keys, not a device.
 */
import { LATENCY_TABLE_VERSION, type LatencyTableFile } from '../../src/api/latency-table.js';
import { assembleTable, profilePlan } from '../../src/latency/plan.js';
import { zooModelsOf, zooNetwork } from '../../src/latency/predict.js';
import type { NasnetLatencyMacro } from '../../src/algorithms/rl/nasnet-latency-keys.js';

export function madeUpLatencyTable(
  space: 'mnasnet' | 'ponas' | 'nasnet',
  imageSize: number,
  o: { enumerate?: boolean; device?: string; cells?: NasnetLatencyMacro } = {},
): LatencyTableFile {
  const zoo = zooModelsOf(space).map((m) => zooNetwork(space, m));
  const plan = profilePlan(space, {
    imageSize,
    classes: 10,
    enumerate: o.enumerate ?? true,
    extraNetworks: zoo.map((n) => n.stages),
    genotypes: zoo.flatMap((n) => (n.cells ? [n.cells] : [])),
    ...(o.cells ? { cells: o.cells } : {}),
  });
  const { base, entries } = assembleTable(plan, new Map(plan.parts.map((p, i) => [p.id, 1 + i / 100])), 0.5);
  return {
    schemaVersion: LATENCY_TABLE_VERSION,
    space,
    device: o.device ?? 'made-up',
    backend: { name: 'cpu', pkg: 'cpu', gpu: false },
    imageSize,
    batch: 1,
    classes: 10,
    ...(plan.cells ? { macro: plan.cells } : {}),
    protocol: { warmup: 0, runs: 1, statistic: 'median', callOverheadMs: 0.5, composition: space === 'nasnet' ? 'cell-parts' : 'first-plus-repeats' },
    date: '2026-11-30T00:00:00Z',
    load: [0, 0],
    seconds: 0,
    parts: plan.parts.length,
    base,
    entries,
  };
}

/** A trained PONAS search spec (input form) with the given `algorithm.ponas` settings, e.g. a latency budget and table. */
export function ponasSpecWith(ponas: Record<string, unknown> | undefined, imageSize: number): Record<string, unknown> {
  return {
    name: 'p',
    ...(ponas ? { algorithm: { ponas } } : {}),
    space: 'ponas',
    macro: { classes: 10 },
    evaluator: { type: 'train' },
    trial: { epochs: 1, imageSize },
    budget: { maxTrials: 4 },
    dataset: '/tmp/data',
    storage: '/tmp/runs',
  };
}
