/**
 * The NAS-Bench-201 cell space (Dong & Yang 2020, ICLR, Sec. 2): a 4-node DAG cell whose 6 edges
 * (i -> j, i < j) each carry one of 5 operations, 5^6 = 15,625 cells.
 *
 * Grammar: a genotype is `{ edges: [op(0->1), op(0->2), op(1->2), op(0->3), op(1->3), op(2->3)] }`,
 * the edge order of the benchmark's architecture string
 * `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`, which `describe` prints and `fromArchString` reads.
 *
 * Canonical form is the identity: the benchmark trained every one of the 15,625 cells separately
 * (isomorphic cells carry different measured accuracies), so the search protocol treats them as
 * distinct arms.
 */
import type { Rng } from '../common/rng.js';
import { stableHash } from '../common/hash.js';
import { GenotypeError, type Decision, type SearchSpace } from './types.js';

export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** Edges in benchmark order as [from, to]. */
export const NB201_EDGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 2],
  [0, 3],
  [1, 3],
  [2, 3],
];

export interface Nb201Genotype {
  readonly edges: readonly Nb201Op[];
}

const DECISIONS: readonly Decision[] = NB201_EDGES.map(([i, j]) => ({ name: `edge${i}->${j}`, kind: 'op', choices: NB201_OPS.length }));

/** Parses `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`. */
export function fromArchString(arch: string): Nb201Genotype {
  const nodes = arch.split('+');
  const edges: Nb201Op[] = [];
  if (nodes.length !== 3) throw new GenotypeError('arch', `expected 3 nodes separated by '+'; received ${JSON.stringify(arch)}`);
  nodes.forEach((node, n) => {
    const parts = node.split('|').filter((p) => p.length > 0);
    if (parts.length !== n + 1) throw new GenotypeError(`arch.node${n + 1}`, `expected ${n + 1} edges; received ${parts.length}`);
    parts.forEach((p, k) => {
      const [op, src] = p.split('~');
      if (Number(src) !== k) throw new GenotypeError(`arch.node${n + 1}`, `expected input ${k}; received ${src}`);
      edges.push(checkOp(op, `arch.node${n + 1}[${k}]`));
    });
  });
  return { edges };
}

export function toArchString(g: Nb201Genotype): string {
  const e = g.edges;
  return `|${e[0]}~0|+|${e[1]}~0|${e[2]}~1|+|${e[3]}~0|${e[4]}~1|${e[5]}~2|`;
}

function checkOp(op: unknown, field: string): Nb201Op {
  if (!(NB201_OPS as readonly unknown[]).includes(op)) {
    throw new GenotypeError(field, `expected one of ${NB201_OPS.join(', ')}; received ${JSON.stringify(op)}`);
  }
  return op as Nb201Op;
}

export const nb201Space: SearchSpace<Nb201Genotype> = {
  name: 'nb201',
  parse(json: unknown): Nb201Genotype {
    if (typeof json === 'string') return fromArchString(json);
    const edges = (json as { edges?: unknown } | null)?.edges;
    if (!Array.isArray(edges) || edges.length !== 6) {
      throw new GenotypeError('edges', `expected an array of 6 ops; received ${JSON.stringify(edges)}`);
    }
    return { edges: edges.map((op, i) => checkOp(op, `edges[${i}]`)) };
  },
  serialize: (g) => ({ edges: [...g.edges] }),
  canonical: (g) => ({ edges: [...g.edges] }),
  hash: (g) => stableHash(toArchString(g)),
  describe: toArchString,
  sample(rng: Rng): Nb201Genotype {
    return { edges: NB201_EDGES.map(() => rng.pick(NB201_OPS)) };
  },
  mutate(g: Nb201Genotype, rng: Rng): Nb201Genotype {
    const edges = [...g.edges];
    const e = rng.int(edges.length);
    const others = NB201_OPS.filter((op) => op !== edges[e]);
    edges[e] = rng.pick(others);
    return { edges };
  },
  size: () => BigInt(NB201_OPS.length) ** BigInt(NB201_EDGES.length),
  decisions: () => DECISIONS,
  encode: (g) => g.edges.map((op) => NB201_OPS.indexOf(op)),
  decode(seq: readonly number[]): Nb201Genotype {
    if (seq.length !== 6) throw new GenotypeError('sequence', `expected 6 decisions; received ${seq.length}`);
    return { edges: seq.map((v, i) => checkOp(NB201_OPS[v], `sequence[${i}]`)) };
  },
};
