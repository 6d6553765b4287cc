/**
 * Registry of search spaces by name, so specs, the CLI and algorithms can look a space up from a
 * string. Registering a name twice throws (timm `_registry.py` rule).
 */
import type { SearchSpace } from './types.js';
import { nasnetSpace } from './nasnet.js';
import { pnasSpace } from './pnas.js';
import { mnasnetSpace } from './mnasnet.js';
import { ponasSpace } from './ponas.js';
import { nb201Space } from './nb201.js';

const registry = new Map<string, SearchSpace<unknown>>();

export function registerSpace<G>(space: SearchSpace<G>): void {
  if (registry.has(space.name)) throw new Error(`search space ${JSON.stringify(space.name)} is already registered`);
  registry.set(space.name, space as SearchSpace<unknown>);
}

/** The space registered under `name`; throws listing the known names otherwise. */
export function getSpace(name: string): SearchSpace<unknown> {
  const space = registry.get(name);
  if (!space) throw new Error(`unknown search space ${JSON.stringify(name)}; expected one of ${[...registry.keys()].join(', ')}`);
  return space;
}

export function listSpaces(): string[] {
  return [...registry.keys()].sort();
}

for (const space of [nasnetSpace, pnasSpace, mnasnetSpace, ponasSpace, nb201Space] as SearchSpace<unknown>[]) registerSpace(space);

export * from './types.js';
export { createNasnetSpace, nasnetSpace, NASNET_A, NASNET_OPS, type NasnetGenotype, type NasnetSpace } from './nasnet.js';
export { createPnasSpace, pnasSpace, PNASNET_5, PNAS_OPS, expandPnasCell, initialPnasCells, pnasTokens, type PnasGenotype, type PnasSpace } from './pnas.js';
export { mnasnetSpace, mnasnetStages, type MnasnetGenotype, type MnasnetBlock } from './mnasnet.js';
export { ponasSpace, ponasStages, PONAS_CANDIDATES, type PonasGenotype, type PonasLayer } from './ponas.js';
export type { CellBlock, CellGenotype, CellCombine } from './cell.js';
export { formatStage, parseStage, type StageSpec } from './block-string.js';
