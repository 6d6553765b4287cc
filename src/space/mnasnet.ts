/**
 * The MnasNet factorized hierarchical search space (Tan et al. 2019, arXiv 1807.11626, Sec. 4.1,
 * Fig. 4): the network is a MobileNetV2-like skeleton of 7 blocks, and each block chooses its
 * convolution op, kernel size, squeeze-and-excitation ratio, skip op, output filters relative to
 * MobileNetV2 and layer count relative to MobileNetV2; all layers of a block share the choice.
 *
 * Convolution ops: `conv` (regular), `dconv` (depthwise-separable), `mbconv3`, `mbconv6` (MBConv
 * with expansion 3 or 6). Four ops give the paper's per-block size S = 4 x 2 x 2 x 3 x 3 x 3 = 432
 * (Sec. 4.1 "typical S = 432"); the paper lists "mobile inverted bottleneck conv" once, with the
 * expansion ratios it uses (3 and 6, Fig. 7).
 *
 * Genotype JSON: `{ "blocks": [ {op, kernel, se, skip, filterMult, layerDelta} x 7 ] }`.
 * Decisions: per block, in that order (6 x 7 = 42).
 * Equivalence: choices that realise the same network are merged by `canonical` (a layer delta of
 * -1 on a 1-layer block is 0; an identity skip that no layer can use is no skip).
 */
import { stableHash, canonicalJson } from '../common/hash.js';
import type { Rng } from '../common/rng.js';
import { at } from '../common/indexing.js';
import { formatStage, type StageSpec } from './block-string.js';
import { GenotypeError, type Decision, type SearchSpace } from './types.js';

export const MNASNET_OPS = ['conv', 'dconv', 'mbconv3', 'mbconv6'] as const;
export const MNASNET_KERNELS = [3, 5] as const;
export const MNASNET_SE = [0, 0.25] as const;
export const MNASNET_SKIPS = ['pool', 'identity', 'none'] as const;
export const MNASNET_FILTER_MULTS = [0.75, 1, 1.25] as const;
export const MNASNET_LAYER_DELTAS = [-1, 0, 1] as const;

/** MobileNetV2 (Sandler et al. 2018, Table 2): the skeleton the choices are relative to. */
export const MNASNET_SKELETON = {
  stemFilters: 32,
  filters: [16, 24, 32, 64, 96, 160, 320],
  layers: [1, 2, 3, 4, 3, 3, 1],
  strides: [1, 2, 2, 2, 1, 2, 1],
} as const;

export interface MnasnetBlock {
  readonly op: (typeof MNASNET_OPS)[number];
  readonly kernel: (typeof MNASNET_KERNELS)[number];
  readonly se: (typeof MNASNET_SE)[number];
  readonly skip: (typeof MNASNET_SKIPS)[number];
  readonly filterMult: (typeof MNASNET_FILTER_MULTS)[number];
  readonly layerDelta: (typeof MNASNET_LAYER_DELTAS)[number];
}

export interface MnasnetGenotype {
  readonly blocks: readonly MnasnetBlock[];
}

const FIELDS = [
  ['op', MNASNET_OPS],
  ['kernel', MNASNET_KERNELS],
  ['se', MNASNET_SE],
  ['skip', MNASNET_SKIPS],
  ['filterMult', MNASNET_FILTER_MULTS],
  ['layerDelta', MNASNET_LAYER_DELTAS],
] as const;
const NBLOCKS = MNASNET_SKELETON.filters.length;

const DECISIONS: readonly Decision[] = Array.from({ length: NBLOCKS }, (_, b) =>
  FIELDS.map(([key, values]) => ({ name: `block${b}.${key}`, kind: key, choices: values.length })),
).flat();

/** The stages a genotype realises (input to the MBConv-chain builder and the cost model). */
export function mnasnetStages(g: MnasnetGenotype): StageSpec[] {
  return g.blocks.map((b, i) => ({
    type: b.op === 'conv' ? 'cn' : b.op === 'dconv' ? 'ds' : 'ir',
    repeats: Math.max(1, at(MNASNET_SKELETON.layers, i, 'mnasnet block') + b.layerDelta),
    kernel: b.kernel,
    stride: at(MNASNET_SKELETON.strides, i, 'mnasnet block'),
    expansion: b.op === 'mbconv3' ? 3 : b.op === 'mbconv6' ? 6 : 1,
    out: Math.round(at(MNASNET_SKELETON.filters, i, 'mnasnet block') * b.filterMult),
    se: b.se,
    skip: b.skip,
  }));
}

function parse(json: unknown): MnasnetGenotype {
  const blocks = (json as { blocks?: unknown } | null)?.blocks;
  if (!Array.isArray(blocks) || blocks.length !== NBLOCKS) {
    throw new GenotypeError(
      'blocks',
      `expected an array of ${NBLOCKS} blocks; received ${Array.isArray(blocks) ? `${blocks.length} blocks` : JSON.stringify(blocks)}`,
    );
  }
  return {
    blocks: blocks.map((raw, i) => {
      if (raw === null || typeof raw !== 'object') throw new GenotypeError(`blocks[${i}]`, `expected an object; received ${JSON.stringify(raw)}`);
      const out: Record<string, unknown> = {};
      for (const [key, values] of FIELDS) {
        const v = (raw as Record<string, unknown>)[key];
        if (!(values as readonly unknown[]).includes(v)) {
          throw new GenotypeError(`blocks[${i}].${key}`, `expected one of ${values.join(', ')}; received ${JSON.stringify(v)}`);
        }
        out[key] = v;
      }
      return out as unknown as MnasnetBlock;
    }),
  };
}

function canonical(g: MnasnetGenotype): MnasnetGenotype {
  const stages = mnasnetStages(g);
  return {
    blocks: g.blocks.map((b, i) => {
      const layerDelta = MNASNET_SKELETON.layers[i] === 1 && b.layerDelta === -1 ? 0 : b.layerDelta;
      const cin = i === 0 ? MNASNET_SKELETON.stemFilters : stages[i - 1]!.out;
      const s = stages[i]!; // one stage per block
      const identityUnusable = s.repeats === 1 && (s.stride !== 1 || cin !== s.out);
      return { ...b, layerDelta, skip: b.skip === 'identity' && identityUnusable ? 'none' : b.skip };
    }),
  };
}

const serialize = (g: MnasnetGenotype): unknown => ({ blocks: g.blocks.map((b) => ({ ...b })) });
const hash = (g: MnasnetGenotype): string => stableHash(`mnasnet/${canonicalJson(serialize(canonical(g)))}`);

function encode(g: MnasnetGenotype): number[] {
  return g.blocks.flatMap((b) => FIELDS.map(([key, values]) => (values as readonly unknown[]).indexOf(b[key])));
}

function decode(seq: readonly number[]): MnasnetGenotype {
  if (seq.length !== DECISIONS.length) throw new GenotypeError('sequence', `expected ${DECISIONS.length} decisions; received ${seq.length}`);
  const blocks = Array.from({ length: NBLOCKS }, (_, b) =>
    Object.fromEntries(
      FIELDS.map(([key, values], f) => {
        const v = seq[b * FIELDS.length + f]!; // seq.length === NBLOCKS * FIELDS.length
        return [key, values[v] ?? v];
      }),
    ),
  );
  return parse({ blocks });
}

function sample(rng: Rng): MnasnetGenotype {
  return decode(DECISIONS.map((d) => rng.int(d.choices)));
}

function mutate(g: MnasnetGenotype, rng: Rng): MnasnetGenotype {
  const before = hash(g);
  const seq = encode(g);
  for (let attempt = 0; attempt < 100; attempt++) {
    const i = rng.int(seq.length);
    const next = [...seq];
    const { choices } = at(DECISIONS, i, 'mnasnet decision');
    next[i] = (seq[i]! + 1 + rng.int(choices - 1)) % choices;
    const out = decode(next);
    if (hash(out) !== before) return out;
  }
  throw new Error('mnasnet mutate: no distinct neighbour found in 100 attempts');
}

export const mnasnetSpace: SearchSpace<MnasnetGenotype> = {
  name: 'mnasnet',
  parse,
  serialize,
  canonical,
  hash,
  describe: (g) => mnasnetStages(g).map(formatStage).join(' '),
  sample,
  mutate,
  size: () => 432n ** BigInt(NBLOCKS),
  decisions: () => DECISIONS,
  encode,
  decode,
};
