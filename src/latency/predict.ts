/**
 * Latency predicted from a profiled table (sum of the network's entries, src/algorithms/rl/
 * latency-table.ts), and the same network measured whole for comparison.
 */
import { chainLatencyKeys, latencyKeys, sumLatency } from '../algorithms/rl/latency-table.js';
import type { LatencyTableFile } from '../api/latency-table.js';
import type { StageSpec } from '../space/block-string.js';
import { MNASNET_SKELETON, mnasnetSpace, mnasnetStages, type MnasnetGenotype } from '../space/mnasnet.js';
import { ponasSpace, ponasStages, type PonasGenotype } from '../space/ponas.js';
import { getModel, listModels } from '../models/zoo.js';
import { buildDef } from '../models/build.js';
import type { Tf } from '../models/tfjs-net.js';
import { measureLatency } from '../trainer/latency.js';
import { chainMacroFor, type LatencySpace } from './plan.js';

/** A network of a table's space: its stages (to build it) and its table keys (to price it). */
export interface PricedNetwork {
  name: string;
  stages: readonly StageSpec[];
  keys: string[];
}

export function genotypeNetwork(space: LatencySpace, json: unknown, name = 'genotype'): PricedNetwork {
  if (space === 'mnasnet') {
    const g = mnasnetSpace.parse(json);
    return { name, stages: mnasnetStages(mnasnetSpace.canonical(g) as MnasnetGenotype), keys: latencyKeys(mnasnetSpace, g) };
  }
  const g = ponasSpace.parse(json);
  return { name, stages: ponasStages(g as PonasGenotype), keys: latencyKeys(ponasSpace, g) };
}

/** PONAS zoo models are genotypes of the space: recover the genotype from stages 1..19. */
function ponasGenotypeOf(stages: readonly StageSpec[]): PonasGenotype {
  return ponasSpace.parse({ layers: stages.slice(1).map((s) => ({ expansion: s.expansion, kernel: s.kernel, se: s.se > 0 })) });
}

export function zooModelsOf(space: LatencySpace): string[] {
  return listModels().filter((n) => getModel(n).family === space);
}

export function zooNetwork(space: LatencySpace, model: string): PricedNetwork {
  const entry = getModel(model);
  const def = entry.def();
  if (entry.family !== space || def.kind !== 'chain') {
    throw new Error(`--zoo ${model}: a ${entry.family} model; the table prices space ${space} (expected one of ${zooModelsOf(space).join(', ')})`);
  }
  const keys = space === 'mnasnet' ? chainLatencyKeys(def.stages, MNASNET_SKELETON.stemFilters) : latencyKeys(ponasSpace, ponasGenotypeOf(def.stages));
  return { name: model, stages: def.stages, keys };
}

export function predictMs(table: LatencyTableFile, network: PricedNetwork): number {
  return sumLatency(network.keys, table);
}

/** The whole network at the table's input size, classes and batch, timed with the table's protocol (median ms). */
export function measureNetworkMs(tf: Tf, table: LatencyTableFile, network: PricedNetwork, now: () => number): number {
  const macro = chainMacroFor(table.space, table.imageSize, table.classes);
  const model = buildDef(tf, { kind: 'chain', stages: network.stages, macro });
  try {
    const m = measureLatency(tf, model, { batches: [table.batch], imageSize: table.imageSize, warmup: table.protocol.warmup, runs: table.protocol.runs, now });
    const b = m.batches[0];
    if (!b) throw new Error('measureLatency returned no batch');
    return b.medianMs;
  } finally {
    model.dispose();
  }
}
