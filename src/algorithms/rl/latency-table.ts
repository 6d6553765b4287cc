/**
 * Latency from a per-op lookup table (MnasNet, Tan et al. 2019, Sec. 4 measures on-device latency;
 * a lookup table of per-block latencies is the usual stand-in, summed over the network). The table
 * is input data: measuring it on a device is a separate concern.
 *
 * Keys: for the MnasNet space, one key per block, the block's compact stage string
 * (`ir_r2_k3_s2_e6_c24`, see block-string.ts), so a table measured per block configuration plugs
 * in directly; for any other space, one key per decision, `<decision name>=<choice index>`.
 */
import { at } from '../../common/indexing.js';
import type { SearchSpace } from '../../space/types.js';
import { mnasnetStages, type MnasnetGenotype } from '../../space/mnasnet.js';
import { formatStage } from '../../space/block-string.js';
import { AlgorithmError } from '../types.js';

export interface LatencyTable {
  /** Fixed cost of the parts no decision changes (stem, head). Default: 0. */
  readonly base?: number;
  /** Latency per key (ms). */
  readonly entries: Readonly<Record<string, number>>;
}

export function latencyKeys<G>(space: SearchSpace<G>, genotype: G): string[] {
  if (space.name === 'mnasnet') return mnasnetStages(genotype as unknown as MnasnetGenotype).map(formatStage);
  const decisions = space.decisions();
  return space.encode(genotype).map((choice, i) => `${at(decisions, i, 'decision').name}=${choice}`);
}

export function tableLatency<G>(space: SearchSpace<G>, genotype: G, table: LatencyTable): number {
  let total = table.base ?? 0;
  for (const key of latencyKeys(space, genotype)) {
    const v = table.entries[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new AlgorithmError(`latencyTable.entries["${key}"]`, `expected a latency in ms; received ${JSON.stringify(v)}`);
    }
    total += v;
  }
  return total;
}
