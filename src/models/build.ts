/**
 * The builder API: a genotype of a registered space plus a macro config becomes a tfjs model
 * (`buildModel`) or a cost (`costOf`, analytic, no tfjs). Both run the same network description
 * (`networkDef`) through different `Net` interpreters, so the cost model's parameter count equals
 * the built model's trainable parameter count by construction (and the tests check it).
 *
 * Macro configs by space (defaults in `DEFAULT_MACROS`):
 * - `nasnet`, `pnas`: `CellMacro` (stem, input size, N, F, stem multiplier, skip-reduction input,
 *   aux head, classes, drop path, dense dropout). Default: the CIFAR-10 search child, N = 2
 *   (Zoph et al. Sec. 4.1), F = 16 (NASNet; not stated in the paper) or F = 24 (PNAS).
 * - `mnasnet`, `ponas`: `ChainMacro` (input size, classes, stem and head filters, dropout,
 *   activation, SE rule). Default: ImageNet 224, 1000 classes, the space's own activation/SE rule.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { StageSpec } from '../space/block-string.js';
import { getSpace, type SearchSpace } from '../space/index.js';
import type { NasnetGenotype } from '../space/nasnet.js';
import { createPnasSpace, type PnasGenotype } from '../space/pnas.js';
import { mnasnetStages, type MnasnetGenotype } from '../space/mnasnet.js';
import { ponasStages, type PonasGenotype } from '../space/ponas.js';
import { buildCellNetwork, type CellFamily, type CellMacro } from './cell-macro.js';
import { CostNet, type Cost } from './cost-net.js';
import { buildChainNetwork, type ChainMacro } from './mbconv.js';
import type { Net } from './net.js';
import { TfjsNet, type BnArgs, type Tf } from './tfjs-net.js';

/** A fully resolved network: cells on a cell skeleton, or stages on an MBConv chain. */
export type NetworkDef = { kind: 'cells'; family: CellFamily; macro: CellMacro } | { kind: 'chain'; stages: readonly StageSpec[]; macro: ChainMacro };

export type MacroConfig = CellMacro | ChainMacro;

export const DEFAULT_MACROS: Readonly<Record<string, MacroConfig>> = {
  nasnet: { stem: 'cifar', inputSize: 32, N: 2, F: 16, classes: 10 },
  pnas: { stem: 'cifar', inputSize: 32, N: 2, F: 24, classes: 10 },
  mnasnet: { inputSize: 224, classes: 1000, activation: 'relu', seRule: 'input' },
  ponas: { inputSize: 224, classes: 1000, activation: 'relu6', seRule: 'expanded' },
};

type SpaceRef = string | Pick<SearchSpace<unknown>, 'name'>;

/**
 * PNAS trains cells of 1..B blocks during its progressive search, so a pnas genotype is validated
 * by the space of its own block count; every other space has one fixed form.
 */
function spaceForGenotype(name: string, genotype: unknown): SearchSpace<unknown> {
  const blocks = (genotype as { blocks?: unknown } | null)?.blocks;
  if (name === 'pnas' && Array.isArray(blocks) && blocks.length >= 1 && blocks.length <= 5) {
    return createPnasSpace({ blocks: blocks.length }) as SearchSpace<unknown>;
  }
  return getSpace(name);
}

/** Validates the genotype with its space and merges the macro over the space's default. */
export function networkDef(space: SpaceRef, genotype: unknown, macro: Partial<MacroConfig> = {}): NetworkDef {
  const name = typeof space === 'string' ? space : space.name;
  const base = DEFAULT_MACROS[name];
  if (!base) throw new Error(`space ${JSON.stringify(name)} has no network builder; expected one of ${Object.keys(DEFAULT_MACROS).join(', ')}`);
  const s = typeof space === 'string' ? spaceForGenotype(name, genotype) : (space as SearchSpace<unknown>);
  const g = s.parse(genotype);
  const merged = { ...base, ...macro } as MacroConfig;
  switch (name) {
    case 'nasnet': {
      const n = g as NasnetGenotype;
      return { kind: 'cells', family: { kind: 'nasnet', normal: n.normal, reduction: n.reduction }, macro: merged as CellMacro };
    }
    case 'pnas':
      return { kind: 'cells', family: { kind: 'pnas', cell: g as PnasGenotype }, macro: merged as CellMacro };
    case 'mnasnet':
      return { kind: 'chain', stages: mnasnetStages(g as MnasnetGenotype), macro: merged as ChainMacro };
    default:
      return { kind: 'chain', stages: ponasStages(g as PonasGenotype), macro: merged as ChainMacro };
  }
}

function run<T>(net: Net<T>, input: T, def: NetworkDef, trace?: (label: string, x: T) => void): T[] {
  if (def.kind === 'chain') return [buildChainNetwork(net, input, def.stages, def.macro, trace)];
  const out = buildCellNetwork(net, input, def.family, def.macro, trace);
  return out.aux === undefined ? [out.logits] : [out.logits, out.aux];
}

function inputShape(def: NetworkDef): [number, number, number] {
  return [def.macro.inputSize, def.macro.inputSize, def.macro.channels ?? 3];
}

/** Parameters (trainable, TF-slim counting) and multiply-accumulates for one image. */
export function costOfDef(def: NetworkDef): Cost {
  const net = new CostNet();
  const [h, w, c] = inputShape(def);
  run(net, net.input(h, w, c), def);
  return net.cost();
}

/** Output shape (h x w x c) after the stem, every cell or stage, and the head, in order. */
export function shapeTrace(def: NetworkDef): { label: string; shape: string }[] {
  const net = new CostNet();
  const [h, w, c] = inputShape(def);
  const out: { label: string; shape: string }[] = [];
  run(net, net.input(h, w, c), def, (label, s) => out.push({ label, shape: `${s.h}x${s.w}x${s.c}` }));
  return out;
}

export function costOf(space: SpaceRef, genotype: unknown, macro: Partial<MacroConfig> = {}): Cost {
  return costOfDef(networkDef(space, genotype, macro));
}

/** Default BN settings: the TF-slim CIFAR / ImageNet NASNet hparams, MnasNet's for chains. */
export function defaultBn(def: NetworkDef): BnArgs {
  if (def.kind === 'chain') return { momentum: 0.99, epsilon: 1e-3 };
  return def.macro.stem === 'cifar' ? { momentum: 0.9, epsilon: 1e-5 } : { momentum: 0.9997, epsilon: 1e-3 };
}

export interface BuildOptions {
  /** Overrides the BN momentum/epsilon. Default: `defaultBn(def)`. */
  bn?: BnArgs;
  /** Model name. Default: 'nasflow'. */
  name?: string;
}

/** Builds the tfjs model of a resolved network; outputs [logits] or [logits, auxLogits]. */
export function buildDef(tf: Tf, def: NetworkDef, opts: BuildOptions = {}): tfjs.LayersModel {
  const input = tf.input({ shape: inputShape(def), name: 'input' });
  const outputs = run(new TfjsNet(tf, opts.bn ?? defaultBn(def)), input, def);
  return tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0]! : outputs, name: opts.name ?? 'nasflow' });
}

export interface BuildModelArgs extends BuildOptions {
  space: SpaceRef;
  genotype: unknown;
  /** Merged over `DEFAULT_MACROS[space]`. Default: {}. */
  macro?: Partial<MacroConfig>;
  /** Drop-path keep probability at the end of training (cell spaces). Default: the macro's (1 = off). */
  dropPath?: number;
}

export function buildModel(tf: Tf, a: BuildModelArgs): tfjs.LayersModel {
  const macro = a.dropPath === undefined ? a.macro : { ...a.macro, dropPathKeepProb: a.dropPath };
  return buildDef(tf, networkDef(a.space, a.genotype, macro), a);
}

/** Trainable parameters of a built model (BN moving statistics are not parameters). */
export function trainableParams(model: tfjs.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);
}
