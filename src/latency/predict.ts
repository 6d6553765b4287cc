/**
 * Latency predicted from a profiled table (sum of the network's entries, src/algorithms/rl/
 * latency-table.ts), and the same network measured whole for comparison.
 */
import { chainLatencyKeys, latencyKeys, sumLatency } from '../algorithms/rl/latency-table.js';
import type { LatencyTableFile } from '../api/latency-table.js';
import type { StageSpec } from '../space/block-string.js';
import { MNASNET_SKELETON, mnasnetSpace, mnasnetStages, type MnasnetGenotype } from '../space/mnasnet.js';
import { ponasSpace, ponasStages, type PonasGenotype } from '../space/ponas.js';
import { nasnetSpace, type NasnetGenotype } from '../space/nasnet.js';
import { getModel, listModels } from '../models/zoo.js';
import { buildDef, type NetworkDef } from '../models/build.js';
import type { Tf } from '../models/tfjs-net.js';
import { measureLatency } from '../trainer/latency.js';
import { chainMacroFor, type LatencySpace } from './plan.js';
import { cellMacroOf, latencyMacroOf } from './nasnet-parts.js';

/**
 * A network of a table's space: how to build it (chain stages, or NASNet cells, built at the
 * table's macro) and, through `networkKeys`, how to price it.
 */
export interface PricedNetwork {
  name: string;
  /** Chain spaces: the stages after the stem. Empty for nasnet. */
  stages: readonly StageSpec[];
  /** NASNet: the normal and reduction cells. */
  cells?: NasnetGenotype;
}

export function genotypeNetwork(space: LatencySpace, json: unknown, name = 'genotype'): PricedNetwork {
  if (space === 'mnasnet') return { name, stages: mnasnetStages(mnasnetSpace.canonical(mnasnetSpace.parse(json)) as MnasnetGenotype) };
  if (space === 'ponas') return { name, stages: ponasStages(ponasSpace.parse(json) as PonasGenotype) };
  return { name, stages: [], cells: nasnetSpace.parse(json) };
}

/** PONAS zoo models are genotypes of the space: recover the genotype from stages 1..19. */
function ponasGenotypeOf(stages: readonly StageSpec[]): PonasGenotype {
  return ponasSpace.parse({ layers: stages.slice(1).map((s) => ({ expansion: s.expansion, kernel: s.kernel, se: s.se > 0 })) });
}

export function zooModelsOf(space: LatencySpace): string[] {
  return listModels().filter((n) => getModel(n).family === space);
}

/** A zoo model of `space`; NASNet models give their cells (their macro is checked against a table by `zooMacroProblem`). */
export function zooNetwork(space: LatencySpace, model: string): PricedNetwork {
  const entry = getModel(model);
  const def = entry.def();
  if (entry.family !== space) {
    throw new Error(`--zoo ${model}: a ${entry.family} model; the table prices space ${space} (expected one of ${zooModelsOf(space).join(', ')})`);
  }
  if (def.kind === 'cells') {
    if (def.family.kind !== 'nasnet') throw new Error(`--zoo ${model}: not a NASNet model`);
    return { name: model, stages: [], cells: { normal: def.family.normal, reduction: def.family.reduction } };
  }
  return { name: model, stages: def.stages };
}

/** The macro settings of a NASNet zoo model the table was not profiled for, described with the fix; null when they match. */
export function zooMacroProblem(table: LatencyTableFile, model: string): string | null {
  const def = getModel(model).def();
  if (def.kind !== 'cells' || !table.macro) return null;
  const want = latencyMacroOf(def.macro);
  if (!want) return `--zoo ${model}: its macro has settings a latency table cannot record`;
  const differs = (Object.keys(want) as (keyof typeof want)[]).filter((k) => want[k] !== table.macro?.[k]);
  if (differs.length === 0) return null;
  const theirs = differs.map((k) => `${k} ${String(want[k])}`).join(', ');
  const ours = differs.map((k) => `macro.${k} ${String(table.macro?.[k])}`).join(', ');
  return (
    `--zoo ${model}: built with ${theirs}; the table was profiled for ${ours}. ` +
    `Profile its macro with nasflow latency profile --space nasnet --zoo-macro ${model}, or price its cells at this macro with --genotype`
  );
}

/** The table keys of a network: one per block (chains), one per piece built (nasnet, at the table's macro). */
export function networkKeys(table: LatencyTableFile, network: PricedNetwork): string[] {
  if ((table.space === 'nasnet') !== (network.cells !== undefined)) {
    throw new Error(`${network.name}: a ${network.cells ? 'nasnet' : 'chain'} network; the table prices space ${table.space}`);
  }
  if (network.cells) return latencyKeys(nasnetSpace, network.cells, table);
  if (table.space === 'mnasnet') return chainLatencyKeys(network.stages, MNASNET_SKELETON.stemFilters);
  return latencyKeys(ponasSpace, ponasGenotypeOf(network.stages));
}

export function predictMs(table: LatencyTableFile, network: PricedNetwork): number {
  return sumLatency(networkKeys(table, network), table);
}

/** The network as the table's macro, input size and classes build it. */
export function networkDefAt(table: LatencyTableFile, network: PricedNetwork): NetworkDef {
  if (network.cells) {
    if (!table.macro) throw new Error(`the table of space ${table.space} records no nasnet macro; profile it with nasflow latency profile --space nasnet`);
    const { normal, reduction } = network.cells;
    return { kind: 'cells', family: { kind: 'nasnet', normal, reduction }, macro: cellMacroOf(table.macro, table.imageSize, table.classes) };
  }
  return { kind: 'chain', stages: network.stages, macro: chainMacroFor(table.space, table.imageSize, table.classes) };
}

/** The whole network at the table's input size, classes and batch, timed with the table's protocol (median ms). */
export function measureNetworkMs(tf: Tf, table: LatencyTableFile, network: PricedNetwork, now: () => number): number {
  const model = buildDef(tf, networkDefAt(table, network));
  try {
    const m = measureLatency(tf, model, { batches: [table.batch], imageSize: table.imageSize, warmup: table.protocol.warmup, runs: table.protocol.runs, now });
    const b = m.batches[0];
    if (!b) throw new Error('measureLatency returned no batch');
    return b.medianMs;
  } finally {
    model.dispose();
  }
}
