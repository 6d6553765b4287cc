/**
 * The PONAS layer-wise space (Huang & Chu 2020, eric8607242/PONAS): a fixed MobileNetV2-like
 * skeleton (stem conv 3x3/2 with 32 channels, a fixed MBConv e1 k3 layer with 16 channels, a 1x1
 * head with 1280 channels) around 19 searchable layers, each choosing one MBConv candidate:
 * expansion {3, 6} x kernel {3, 5, 7} x SE {off, on} = 12 candidates (the blocks seen in the
 * released PONAS-A/B/C models; whether "skip" is a candidate is unconfirmed, so it is left out).
 *
 * Genotype JSON: `{ "layers": [ {expansion, kernel, se} x 19 ] }`.
 * Decisions: one per layer, the candidate index into PONAS_CANDIDATES (the row of PONAS's
 * accuracy table). Canonical form is the identity (every genotype is a distinct network).
 */
import { stableHash, canonicalJson } from '../common/hash.js';
import type { Rng } from '../common/rng.js';
import { at } from '../common/indexing.js';
import { formatStage, type StageSpec } from './block-string.js';
import { GenotypeError, type Decision, type SearchSpace } from './types.js';

export interface PonasLayer {
  readonly expansion: 3 | 6;
  readonly kernel: 3 | 5 | 7;
  readonly se: boolean;
}

export interface PonasGenotype {
  readonly layers: readonly PonasLayer[];
}

/** Candidate blocks in table order: expansion-major, then kernel, then SE. */
export const PONAS_CANDIDATES: readonly PonasLayer[] = ([3, 6] as const).flatMap((expansion) =>
  ([3, 5, 7] as const).flatMap((kernel) => [false, true].map((se) => ({ expansion, kernel, se }))),
);

/** Output channels and stride of the 19 searchable layers (PONAS config.yml). */
export const PONAS_SKELETON: readonly { out: number; stride: number }[] = (
  [
    [32, 2],
    [32, 1],
    [40, 2],
    [40, 1],
    [40, 1],
    [40, 1],
    [80, 2],
    [80, 1],
    [80, 1],
    [80, 1],
    [96, 1],
    [96, 1],
    [96, 1],
    [96, 1],
    [192, 2],
    [192, 1],
    [192, 1],
    [192, 1],
    [320, 1],
  ] as const
).map(([out, stride]) => ({ out, stride }));

const DECISIONS: readonly Decision[] = PONAS_SKELETON.map((_, i) => ({ name: `layer${i + 1}`, kind: 'candidate', choices: PONAS_CANDIDATES.length }));

/** The fixed first layer (layer 0) that precedes the searchable ones. */
export const PONAS_FIXED_FIRST: StageSpec = { type: 'ds', repeats: 1, kernel: 3, stride: 1, expansion: 1, out: 16, se: 0, skip: 'identity' };

/** All 20 layers as single-layer stages (input to the MBConv-chain builder). */
export function ponasStages(g: PonasGenotype): StageSpec[] {
  return [
    PONAS_FIXED_FIRST,
    ...g.layers.map((l, i): StageSpec => {
      const { out, stride } = at(PONAS_SKELETON, i, 'PONAS layer');
      return { type: 'ir', repeats: 1, kernel: l.kernel, stride, expansion: l.expansion, out, se: l.se ? 0.25 : 0, skip: 'identity' };
    }),
  ];
}

export function ponasCandidateIndex(layer: PonasLayer): number {
  return PONAS_CANDIDATES.findIndex((c) => c.expansion === layer.expansion && c.kernel === layer.kernel && c.se === layer.se);
}

function parse(json: unknown): PonasGenotype {
  const layers = (json as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers) || layers.length !== PONAS_SKELETON.length) {
    throw new GenotypeError(
      'layers',
      `expected an array of ${PONAS_SKELETON.length} layers; received ${Array.isArray(layers) ? `${layers.length} layers` : JSON.stringify(layers)}`,
    );
  }
  return {
    layers: layers.map((raw, i): PonasLayer => {
      const o = (raw ?? {}) as Record<string, unknown>;
      if (o.expansion !== 3 && o.expansion !== 6)
        throw new GenotypeError(`layers[${i}].expansion`, `expected one of 3, 6; received ${JSON.stringify(o.expansion)}`);
      if (o.kernel !== 3 && o.kernel !== 5 && o.kernel !== 7)
        throw new GenotypeError(`layers[${i}].kernel`, `expected one of 3, 5, 7; received ${JSON.stringify(o.kernel)}`);
      if (typeof o.se !== 'boolean') throw new GenotypeError(`layers[${i}].se`, `expected true or false; received ${JSON.stringify(o.se)}`);
      return { expansion: o.expansion, kernel: o.kernel, se: o.se };
    }),
  };
}

const serialize = (g: PonasGenotype): unknown => ({ layers: g.layers.map((l) => ({ ...l })) });
const hash = (g: PonasGenotype): string => stableHash(`ponas/${canonicalJson(serialize(g))}`);
const encode = (g: PonasGenotype): number[] => g.layers.map(ponasCandidateIndex);

function decode(seq: readonly number[]): PonasGenotype {
  if (seq.length !== DECISIONS.length) throw new GenotypeError('sequence', `expected ${DECISIONS.length} decisions; received ${seq.length}`);
  return parse({ layers: seq.map((c, i) => PONAS_CANDIDATES[c] ?? { expansion: `candidate ${c} at layer ${i}` }) });
}

function mutate(g: PonasGenotype, rng: Rng): PonasGenotype {
  const seq = encode(g);
  const i = rng.int(seq.length);
  seq[i] = (seq[i]! + 1 + rng.int(PONAS_CANDIDATES.length - 1)) % PONAS_CANDIDATES.length;
  return decode(seq);
}

export const ponasSpace: SearchSpace<PonasGenotype> = {
  name: 'ponas',
  parse,
  serialize,
  canonical: (g) => g,
  hash,
  describe: (g) => ponasStages(g).map(formatStage).join(' '),
  sample: (rng: Rng) => decode(DECISIONS.map(() => rng.int(PONAS_CANDIDATES.length))),
  mutate,
  size: () => BigInt(PONAS_CANDIDATES.length) ** BigInt(PONAS_SKELETON.length),
  decisions: () => DECISIONS,
  encode,
  decode,
};

/** Compact layer list, e.g. `e6k5 e3k5 e3k7se ...` (19 tokens), as used by the PONAS papers' figures. */
export function formatPonasLayers(g: PonasGenotype): string {
  return g.layers.map((l) => `e${l.expansion}k${l.kernel}${l.se ? 'se' : ''}`).join(' ');
}

export function parsePonasLayers(text: string): PonasGenotype {
  const layers = text
    .trim()
    .split(/\s+/)
    .map((tok, i) => {
      const m = /^e(\d+)k(\d+)(se)?$/.exec(tok);
      if (!m) throw new GenotypeError(`layers[${i}]`, `expected a token like e6k5 or e3k7se; received ${JSON.stringify(tok)}`);
      return { expansion: Number(m[1]), kernel: Number(m[2]), se: m[3] === 'se' };
    });
  return parse({ layers });
}
