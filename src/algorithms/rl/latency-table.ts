/**
 * Latency from a per-op lookup table (MnasNet, Tan et al. 2019, Sec. 4 measures on-device latency;
 * a lookup table of per-block latencies is the usual stand-in, summed over the network, as in
 * ProxylessNAS and FBNet). The table is input data: measuring it on a device is a separate concern
 * (src/latency/profile.ts, `nasflow latency profile`).
 *
 * Keys:
 * - MnasNet (a chain of stages): one key per block, `block<i>/c<in>/<stage string>` (block index,
 *   input channels, the canonical stage of block-string.ts, e.g. `block1/c16/ir_r2_k3_s2_e6_c24`),
 *   plus `head/c<in>` for the 1x1 head conv and classifier, whose input width is the last block's
 *   choice. The stage string alone is not enough: a block's cost depends on the channels it
 *   receives (the previous block's filter multiplier) and on its position (the same string occurs
 *   in block 1 and block 2 at different resolutions). `base` is the stem.
 * - NASNet (cells): one key per piece of the network as built, `nasnet/<site>/<piece>` (see
 *   ./nasnet-latency-keys.ts), priced for the macro the table was profiled for (`macro` and
 *   `imageSize`, which the table must carry): an op's cost depends on the cell kind, the stage,
 *   its stride and the channels it reads, and the cells' preambles on the widths the genotype
 *   gives the cell outputs. `base` is the stem.
 * - Any other space: one key per decision, `<decision name>=<choice index>`. For PONAS every layer
 *   has fixed input and output shapes, so a layer's cost depends on its own choice only and the sum
 *   is exact up to measurement; `base` is the stem, the fixed first layer and the head.
 */
import { at } from '../../common/indexing.js';
import type { SearchSpace } from '../../space/types.js';
import { MNASNET_SKELETON, mnasnetStages, type MnasnetGenotype } from '../../space/mnasnet.js';
import { formatStage, type StageSpec } from '../../space/block-string.js';
import { AlgorithmError } from '../types.js';
import type { NasnetGenotype } from '../../space/nasnet.js';
import { nasnetLatencyKeys, type NasnetLatencyMacro } from './nasnet-latency-keys.js';

export interface LatencyTable {
  /** Fixed cost of the parts no decision changes (stem, head). Default: 0. */
  readonly base?: number;
  /** Latency per key (ms). */
  readonly entries: Readonly<Record<string, number>>;
  /** NASNet: the macro the table was profiled for; its keys depend on it (required for the nasnet space). */
  readonly macro?: NasnetLatencyMacro;
  /** NASNet: the input size the table was profiled for (required for the nasnet space). */
  readonly imageSize?: number;
}

const NASNET_FIX = 'profile the table with nasflow latency profile --space nasnet (it records the macro and input size its keys are for)';

export function chainBlockKey(index: number, inputChannels: number, stage: StageSpec): string {
  return `block${index}/c${inputChannels}/${formatStage(stage)}`;
}

export function chainHeadKey(inputChannels: number): string {
  return `head/c${inputChannels}`;
}

/** Keys of a chain network (stages after a stem of `stemFilters` channels): one per stage, then the head. */
export function chainLatencyKeys(stages: readonly StageSpec[], stemFilters: number): string[] {
  let cin = stemFilters;
  const keys = stages.map((s, i) => {
    const key = chainBlockKey(i, cin, s);
    cin = s.out;
    return key;
  });
  return [...keys, chainHeadKey(cin)];
}

/** The keys of `genotype`; `table` supplies what the nasnet keys depend on (macro, input size). */
export function latencyKeys<G>(space: SearchSpace<G>, genotype: G, table?: Pick<LatencyTable, 'macro' | 'imageSize'>): string[] {
  if (space.name === 'nasnet') {
    if (!table?.macro) throw new AlgorithmError('latencyTable.macro', `a nasnet table records the cell macro it was profiled for; none given: ${NASNET_FIX}`);
    if (table.imageSize === undefined) throw new AlgorithmError('latencyTable.imageSize', `a nasnet table records its input size; none given: ${NASNET_FIX}`);
    return nasnetLatencyKeys(genotype as unknown as NasnetGenotype, table.macro, table.imageSize);
  }
  if (space.name === 'mnasnet') {
    // Canonical first: an identity skip no layer can use is the same network as no skip.
    return chainLatencyKeys(mnasnetStages(space.canonical(genotype) as unknown as MnasnetGenotype), MNASNET_SKELETON.stemFilters);
  }
  const decisions = space.decisions();
  return space.encode(genotype).map((choice, i) => `${at(decisions, i, 'decision').name}=${choice}`);
}

/** base + the entries of `keys`; a missing key is named in the error. */
export function sumLatency(keys: readonly string[], table: LatencyTable): number {
  let total = table.base ?? 0;
  for (const key of keys) {
    const v = table.entries[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new AlgorithmError(`latencyTable.entries["${key}"]`, `expected a latency in ms; received ${JSON.stringify(v)}`);
    }
    total += v;
  }
  return total;
}

export function tableLatency<G>(space: SearchSpace<G>, genotype: G, table: LatencyTable): number {
  return sumLatency(latencyKeys(space, genotype, table), table);
}
