/**
 * The reference model zoo (timm `_registry.py` style): each named model is a network definition
 * plus its default config (input size, classes) and the figures it must reproduce, transcribed
 * from shared/reference/architectures.json with the sources cited there. ImageNet models have
 * 1000 classes and no aux head, as the reference counts them.
 *
 * `reference.params` is the exact count (osmr/imgclsmob, or the reference's independent counter
 * where marked `derived`); `reference.multAdds` is the reference's independent count (conv +
 * depthwise + dense MACs; for PONAS the conv MACs including SE, without the classifier, as
 * `multAddsScope: 'conv'` says). `published` holds the papers' figures.
 */
import type { StageSpec } from '../space/block-string.js';
import { parseStage } from '../space/block-string.js';
import { NASNET_A } from '../space/nasnet.js';
import { PNASNET_5 } from '../space/pnas.js';
import { parsePonasLayers, ponasStages } from '../space/ponas.js';
import type { NetworkDef } from './build.js';
import type { CellMacro } from './cell-macro.js';

export interface ZooFigures {
  params?: number;
  multAdds?: number;
  /** True where the reference marks the figure confirmed from the primary source. */
  confirmed?: boolean;
  /** True when `params` comes from the reference's own counter rather than a released model. */
  derived?: boolean;
  /** Set when our count is known to differ from `params`, with the reason. */
  paramsMismatch?: string;
  /** 'all' (conv + dense, the default) or 'conv' (the figure leaves out the dense classifier). */
  multAddsScope?: 'all' | 'conv';
  source: string;
}

export interface ZooEntry {
  readonly name: string;
  readonly family: 'nasnet' | 'pnas' | 'mnasnet' | 'ponas';
  readonly inputSize: number;
  readonly classes: number;
  readonly def: () => NetworkDef;
  readonly reference: ZooFigures;
  readonly published: ZooFigures;
}

const registry = new Map<string, ZooEntry>();

export function registerModel(entry: ZooEntry): void {
  if (registry.has(entry.name)) throw new Error(`zoo model ${JSON.stringify(entry.name)} is already registered`);
  registry.set(entry.name, entry);
}

/** Registered model names, optionally filtered by a `*` wildcard pattern (e.g. `nasnet-*`). */
export function listModels(pattern = '*'): string[] {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`,
  );
  return [...registry.keys()].filter((n) => re.test(n));
}

export function getModel(name: string): ZooEntry {
  const entry = registry.get(name);
  if (!entry) throw new Error(`unknown zoo model ${JSON.stringify(name)}; expected one of ${[...registry.keys()].join(', ')}`);
  return entry;
}

const SRC = {
  imgclsmob: 'osmr/imgclsmob READMEs @ c1a844dd (exact parameter counts)',
  derived: 'shared/reference/architectures.json checks (independent counter, DERIVED)',
  nasnetPaper: 'Zoph et al. 2018, arXiv 1707.07012, Tables 1-3',
  mnasPaper: 'Tan et al. 2019, arXiv 1807.11626, Sec. 6.1; tensorflow/tpu mnasnet README',
  ponas: 'eric8607242/PONAS @ 6b7e3438 resource/imagenet.png (FLOPs = conv MACs without SE and FC)',
  pnas: 'PNASNet-5 figures as cited in shared/reference/architectures.json',
};

function nasnet(name: string, macro: CellMacro, reference: ZooFigures, published: ZooFigures): void {
  registerModel({
    name,
    family: 'nasnet',
    inputSize: macro.inputSize,
    classes: macro.classes,
    reference,
    published,
    def: () => ({ kind: 'cells', family: { kind: 'nasnet', normal: NASNET_A.normal, reduction: NASNET_A.reduction }, macro }),
  });
}

function pnas(name: string, macro: CellMacro, reference: ZooFigures, published: ZooFigures): void {
  registerModel({
    name,
    family: 'pnas',
    inputSize: macro.inputSize,
    classes: macro.classes,
    reference,
    published,
    def: () => ({ kind: 'cells', family: { kind: 'pnas', cell: PNASNET_5 }, macro }),
  });
}

function chain(name: string, family: 'mnasnet' | 'ponas', stages: StageSpec[], reference: ZooFigures, published: ZooFigures): void {
  const macro =
    family === 'mnasnet'
      ? ({ inputSize: 224, classes: 1000, activation: 'relu', seRule: 'input' } as const)
      : ({ inputSize: 224, classes: 1000, activation: 'relu6', seRule: 'expanded' } as const);
  registerModel({ name, family, inputSize: 224, classes: 1000, reference, published, def: () => ({ kind: 'chain', stages, macro }) });
}

const imagenet = { stem: 'imagenet', inputSize: 224, classes: 1000 } as const;

nasnet(
  'nasnet-a-mobile',
  { ...imagenet, N: 4, F: 44 },
  { params: 5_289_978, multAdds: 563.6e6, source: `${SRC.imgclsmob}; ${SRC.derived}` },
  { params: 5.3e6, multAdds: 564e6, confirmed: true, source: `${SRC.nasnetPaper} (Table 3)` },
);
nasnet(
  'nasnet-a-large',
  { ...imagenet, inputSize: 331, N: 6, F: 168, stemMultiplier: 3, skipReductionLayerInput: true },
  { params: 88_753_150, multAdds: 23_783.4e6, source: `${SRC.imgclsmob}; ${SRC.derived}` },
  { params: 88.9e6, multAdds: 23.8e9, confirmed: true, source: `${SRC.nasnetPaper} (Table 2)` },
);
nasnet(
  'nasnet-a-cifar',
  { stem: 'cifar', inputSize: 32, classes: 10, N: 6, F: 32, stemMultiplier: 3 },
  { params: 3_346_538, multAdds: 544.3e6, derived: true, source: SRC.derived },
  { params: 3.3e6, confirmed: true, source: `${SRC.nasnetPaper} (Table 1, NASNet-A 6 @ 768)` },
);
pnas(
  'pnasnet-5-mobile',
  { ...imagenet, N: 3, F: 54, skipReductionLayerInput: true },
  {
    params: 5_064_455,
    multAdds: 587.2e6,
    derived: true,
    source: SRC.derived,
    // TF-slim factorized_reduction gives path 2 the odd filter; stem cell 1 reduces conv0 (32 channels) to 27.
    paramsMismatch:
      'we count 32 more: TF-slim factorized_reduction gives the odd filter to path 2 (27 = 13 + 14 filters over 32 channels in stem cell 1); the reference counter appears to use 2 x 13',
  },
  { params: 5.1e6, multAdds: 588e6, source: SRC.ponas },
);
pnas(
  'pnasnet-5-large',
  { ...imagenet, inputSize: 331, N: 4, F: 216, stemMultiplier: 3, skipReductionLayerInput: true },
  { params: 86_057_668, multAdds: 24_937.4e6, source: `${SRC.imgclsmob}; ${SRC.derived}` },
  { params: 86.1e6, multAdds: 25.0e9, confirmed: false, source: `${SRC.pnas} (unconfirmed)` },
);

const stages = (text: string): StageSpec[] => text.split(' ').map((s, i) => parseStage(s, `stages[${i}]`));
chain(
  'mnasnet-a1',
  'mnasnet',
  stages(
    'ds_r1_k3_s1_c16_nsk ir_r2_k3_s2_e6_c24 ir_r3_k5_s2_e3_c40_se0.25 ir_r4_k3_s2_e6_c80 ir_r2_k3_s1_e6_c112_se0.25 ir_r3_k5_s2_e6_c160_se0.25 ir_r1_k3_s1_e6_c320',
  ),
  { params: 3_887_038, multAdds: 311.6e6, source: `${SRC.imgclsmob}; ${SRC.derived}` },
  { params: 3.9e6, multAdds: 312e6, confirmed: true, source: SRC.mnasPaper },
);
chain(
  'mnasnet-b1',
  'mnasnet',
  stages('ds_r1_k3_s1_c16_nsk ir_r3_k3_s2_e3_c24 ir_r3_k5_s2_e3_c40 ir_r3_k5_s2_e6_c80 ir_r2_k3_s1_e6_c96 ir_r4_k5_s2_e6_c192 ir_r1_k3_s1_e6_c320_nsk'),
  { params: 4_383_312, multAdds: 314.4e6, source: `${SRC.imgclsmob}; ${SRC.derived}` },
  { source: 'parameters and mult-adds not confirmed from the paper text' },
);

const PONAS = {
  'ponas-a': [
    'e6k5 e3k5 e3k7se e3k5se e3k5 e3k7 e6k7se e3k5se e3k5se e3k5se e3k5 e3k7 e3k7 e3k7se e6k7se e3k7se e3k5 e3k7se e6k5se',
    5_104_022,
    327.63e6,
    326e6,
  ],
  'ponas-b': [
    'e6k3se e3k7se e6k5 e3k5se e3k5 e3k5 e6k7 e3k5se e3k5se e3k5se e6k5se e3k7 e3k7 e3k7se e6k7se e3k7se e3k5 e3k7 e6k5se',
    5_083_322,
    349.88e6,
    349e6,
  ],
  'ponas-c': [
    'e6k5 e3k7se e6k5se e3k5se e3k5 e3k7 e6k7 e3k5se e3k7se e6k5se e6k5se e3k7 e3k7 e6k5se e6k7se e3k7se e3k5 e3k7se e6k5se',
    5_587_622,
    378.07e6,
    376e6,
  ],
} as const;
for (const [name, [layers, params, macs, flops]] of Object.entries(PONAS)) {
  chain(
    name,
    'ponas',
    ponasStages(parsePonasLayers(layers)),
    { params, multAdds: macs, derived: true, multAddsScope: 'conv', source: `${SRC.derived} (conv MACs incl. SE, without FC)` },
    { params: Math.round(params / 1e5) * 1e5, multAdds: flops, multAddsScope: 'conv', source: SRC.ponas },
  );
}
