/**
 * `nasflow latency profile`: times every part of a profile plan (./plan.ts) on the loaded tfjs
 * backend with the trainer's protocol (src/trainer/latency.ts `measureLatency`: warm-up, timed
 * runs, median, output read back), and assembles the lookup table (src/api/latency-table.ts).
 */
import { cpus, hostname, loadavg } from 'node:os';
import type * as tfjs from '@tensorflow/tfjs';
import { LATENCY_TABLE_VERSION, type LatencyTableFile } from '../api/latency-table.js';
import type { LoadedBackend } from '../trainer/backend.js';
import { measureLatency } from '../trainer/latency.js';
import { defaultBn } from '../models/build.js';
import type { CellMacro } from '../models/cell-macro.js';
import { chainHead, chainStage, chainStem, type ChainMacro } from '../models/mbconv.js';
import { TfjsNet, type Tf } from '../models/tfjs-net.js';
import { assembleTable, chainMacroOf, profilePlan, type LatencySpace, type PlanArgs, type ProfilePart } from './plan.js';
import { buildNasnetPart, cellMacroOf } from './nasnet-parts.js';

export interface ProfileArgs extends PlanArgs {
  backend: LoadedBackend;
  space: LatencySpace;
  batch: number;
  warmup: number;
  runs: number;
  /** Default: the host name and CPU model. */
  device?: string;
  now(): number;
  onProgress?(done: number, total: number): void;
}

export function defaultDeviceName(): string {
  const cpu = cpus();
  return `${hostname()} (${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'})`;
}

/** The tiny model of one part: its input at the shape it has in the network. */
export function buildPart(tf: Tf, part: ProfilePart, planMacro: ChainMacro | CellMacro): tfjs.LayersModel {
  const input = tf.input({ shape: [...part.input], name: 'input' });
  const b = part.build;
  if (b.kind === 'nasnet') {
    // BN settings follow the macro's stem only (build.ts defaultBn); the cells do not matter to them.
    const cells = cellMacroOf(b.macro, part.input[0], b.classes);
    const net = new TfjsNet(tf, defaultBn({ kind: 'cells', family: { kind: 'pnas', cell: { blocks: [] } }, macro: cells }));
    return tf.model({ inputs: input, outputs: buildNasnetPart(net, input, b.part, b.macro, b.classes), name: 'part' });
  }
  const macro = chainMacroOf(planMacro);
  const net = new TfjsNet(tf, defaultBn({ kind: 'chain', stages: [], macro }));
  let out: tfjs.SymbolicTensor;
  if (b.kind === 'stem') out = b.then.reduce((y, s, i) => chainStage(net, y, s, i, macro), chainStem(net, input, macro));
  else if (b.kind === 'layer') out = chainStage(net, input, b.stage, b.index, macro);
  else out = chainHead(net, input, macro);
  return tf.model({ inputs: input, outputs: out, name: 'part' });
}

/** Median ms of a `predict` through one trivial layer: what every call costs besides its ops. */
export function callOverheadMs(tf: Tf, input: readonly [number, number, number], a: Pick<ProfileArgs, 'batch' | 'warmup' | 'runs' | 'now'>): number {
  const x = tf.input({ shape: [...input] });
  const model = tf.model({ inputs: x, outputs: tf.layers.activation({ activation: 'linear' }).apply(x) as tfjs.SymbolicTensor });
  try {
    return timePart(tf, model, input, a);
  } finally {
    model.dispose();
  }
}

function timePart(
  tf: Tf,
  model: tfjs.LayersModel,
  input: readonly [number, number, number],
  a: Pick<ProfileArgs, 'batch' | 'warmup' | 'runs' | 'now'>,
): number {
  const m = measureLatency(tf, model, { batches: [a.batch], imageSize: input[0], inputShape: input, warmup: a.warmup, runs: a.runs, now: a.now });
  const b = m.batches[0];
  if (!b) throw new Error('latency profile: measureLatency returned no batch');
  return b.medianMs;
}

export function profileLatency(a: ProfileArgs): LatencyTableFile {
  const started = a.now();
  const loadStart = loadavg()[0] ?? 0;
  const plan = profilePlan(a.space, a);
  const { tf } = a.backend;
  const image = [a.imageSize, a.imageSize, 3] as const;
  // Overhead before and after the parts, averaged: the machine's load drifts during a profile.
  const before = callOverheadMs(tf, image, a);
  const ms = new Map<string, number>();
  plan.parts.forEach((part, i) => {
    const model = buildPart(tf, part, plan.macro);
    try {
      ms.set(part.id, timePart(tf, model, part.input, a));
    } finally {
      model.dispose();
    }
    a.onProgress?.(i + 1, plan.parts.length);
  });
  const overhead = (before + callOverheadMs(tf, image, a)) / 2;
  const { base, entries } = assembleTable(plan, ms, overhead);
  const { backend } = a;
  return {
    schemaVersion: LATENCY_TABLE_VERSION,
    space: a.space,
    device: a.device ?? defaultDeviceName(),
    backend: { name: backend.backend, pkg: backend.pkg, ...(backend.flavour ? { flavour: backend.flavour } : {}), gpu: backend.usingGpu },
    imageSize: a.imageSize,
    batch: a.batch,
    classes: a.classes,
    ...(plan.cells ? { macro: plan.cells } : {}),
    protocol: {
      warmup: a.warmup,
      runs: a.runs,
      statistic: 'median',
      callOverheadMs: overhead,
      composition: plan.space === 'nasnet' ? 'cell-parts' : 'first-plus-repeats',
    },
    date: new Date().toISOString(),
    load: [loadStart, loadavg()[0] ?? 0],
    seconds: (a.now() - started) / 1000,
    parts: plan.parts.length,
    base,
    entries,
  };
}
