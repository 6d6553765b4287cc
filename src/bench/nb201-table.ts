/**
 * Loads the NAS-Bench-201 tables (Dong & Yang 2020, ICLR) shipped under data/benchmarks/: one row
 * per cell with 12- and 200-epoch accuracies (percent) and, for CIFAR-10, params, FLOPs and epoch
 * times. Each file's header names its sources; `header` keeps it for reports.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { at } from '../common/indexing.js';

export const NB201_BENCHMARKS = ['nb201-cifar10', 'nb201-cifar100', 'nb201-imagenet16-120'] as const;
export type Nb201Benchmark = (typeof NB201_BENCHMARKS)[number];

export interface Nb201Row {
  readonly idx: number;
  readonly arch: string;
  readonly val12: number;
  readonly test12: number;
  readonly val200: number;
  readonly test200: number;
  /** From the CIFAR-10 file (the other datasets differ only in the classifier head). */
  readonly paramsM: number;
  readonly flopsM: number;
  /** Seconds per training epoch on the benchmark's reference GPU (CIFAR-10 file). */
  readonly epochSeconds: number;
}

export interface Nb201Table {
  readonly benchmark: Nb201Benchmark;
  readonly header: Record<string, unknown>;
  readonly rows: readonly Nb201Row[];
  readonly byArch: ReadonlyMap<string, Nb201Row>;
}

/** data/benchmarks relative to the package root (works from src/ via tsx and from dist/). */
export function defaultDataDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = here.includes(`${'/dist/'}`) ? join(here, '..', '..', '..') : join(here, '..', '..');
  return join(root, 'data', 'benchmarks');
}

interface RawFile {
  header: { fields: string[] } & Record<string, unknown>;
  rows: unknown[][];
}

function readRaw(dir: string, name: string): RawFile {
  const path = join(dir, `${name}.json`);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as RawFile;
  if (!Array.isArray(raw.rows) || !Array.isArray(raw.header?.fields)) {
    throw new Error(`${path}: expected {header: {fields}, rows}; received keys ${Object.keys(raw).join(', ')}`);
  }
  return raw;
}

function column(raw: RawFile, name: string): number {
  const i = raw.header.fields.indexOf(name);
  if (i < 0) throw new Error(`benchmark file: expected a field ${name}; fields are ${raw.header.fields.join(', ')}`);
  return i;
}

const cache = new Map<string, Nb201Table>();

export function loadNb201(benchmark: Nb201Benchmark, dir = defaultDataDir()): Nb201Table {
  if (!NB201_BENCHMARKS.includes(benchmark)) {
    throw new Error(`--benchmark: expected one of ${NB201_BENCHMARKS.join(', ')}; received ${String(benchmark)}`);
  }
  const key = `${dir}|${benchmark}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const raw = readRaw(dir, benchmark);
  const costs = benchmark === 'nb201-cifar10' ? raw : readRaw(dir, 'nb201-cifar10');
  const c = (name: string): number => column(raw, name);
  const k = (name: string): number => column(costs, name);
  const rows: Nb201Row[] = raw.rows.map((r, i) => {
    const cr = at(costs.rows, i, 'nb201-cifar10 row');
    if (cr[k('arch')] !== r[c('arch')]) throw new Error(`benchmark files disagree on row ${i}'s arch`);
    return {
      idx: r[c('idx')] as number,
      arch: r[c('arch')] as string,
      val12: r[c('val12')] as number,
      test12: r[c('test12')] as number,
      val200: r[c('val200')] as number,
      test200: r[c('test200')] as number,
      paramsM: cr[k('params_M')] as number,
      flopsM: cr[k('flops_M')] as number,
      epochSeconds: cr[k('epoch_time_s')] as number,
    };
  });
  const table: Nb201Table = { benchmark, header: raw.header, rows, byArch: new Map(rows.map((r) => [r.arch, r])) };
  cache.set(key, table);
  return table;
}

const LATENCY_FILE = 'nb201-hwlatency';

/** Device settings of nb201-hwlatency.json (HELP, Lee et al. 2021): `pixel3`, `raspi4`, `2080ti_1`, ... */
export function nb201LatencyDevices(dir = defaultDataDir()): string[] {
  return readRaw(dir, LATENCY_FILE).header.fields.filter((f) => f !== 'idx');
}

const latencyCache = new Map<string, Float64Array>();

/** Per-device latencies (ms) from nb201-hwlatency.json, indexed by NB201 index. */
export function loadNb201Latency(device: string, dir = defaultDataDir()): Float64Array {
  const key = `${dir}|${device}`;
  const hit = latencyCache.get(key);
  if (hit) return hit;
  const raw = readRaw(dir, LATENCY_FILE);
  const devices = raw.header.fields.filter((f) => f !== 'idx');
  if (!devices.includes(device)) {
    throw new Error(`device: expected one of the ${LATENCY_FILE}.json devices (${devices.join(', ')}); received ${JSON.stringify(device)}`);
  }
  const i = column(raw, device);
  const out = new Float64Array(raw.rows.length);
  raw.rows.forEach((r) => (out[r[0] as number] = r[i] as number));
  latencyCache.set(key, out);
  return out;
}
