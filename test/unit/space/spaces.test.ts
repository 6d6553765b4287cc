import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/common/rng.js';
import {
  getSpace,
  listSpaces,
  isGenotypeError,
  nasnetSpace,
  pnasSpace,
  mnasnetSpace,
  ponasSpace,
  createPnasSpace,
  createNasnetSpace,
  NASNET_A,
  PNASNET_5,
  expandPnasCell,
  initialPnasCells,
  pnasTokens,
  parseStage,
  formatStage,
  type SearchSpace,
} from '../../../src/space/index.js';
import { at } from '../../../src/common/indexing.js';

const SPACES: SearchSpace<unknown>[] = [nasnetSpace, pnasSpace, mnasnetSpace, ponasSpace, createPnasSpace({ blocks: 2 })] as SearchSpace<unknown>[];

function expectGenotypeError(fn: () => unknown, field: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isGenotypeError(err), `expected a GenotypeError, got ${String(err)}`);
    if (typeof field === 'string') assert.equal(err.field, field);
    else assert.match(err.field, field);
    return true;
  });
}

for (const space of SPACES) {
  const label = `${space.name}(${space.decisions().length} decisions)`;
  void describe(`space ${label}`, () => {
    void it('10,000 samples are valid, JSON round-trip, and their decision sequences round-trip', () => {
      const rng = Rng.seeded(`samples/${label}`);
      const decisions = space.decisions();
      for (let i = 0; i < 10_000; i++) {
        const g = space.sample(rng);
        const json = JSON.parse(JSON.stringify(space.serialize(g)));
        assert.deepEqual(space.parse(json), g);
        const seq = space.encode(g);
        assert.equal(seq.length, decisions.length);
        seq.forEach((v, k) => {
          const d = at(decisions, k, 'decision');
          assert.ok(v >= 0 && v < (d.validChoices ?? d.choices), `decision ${d.name}=${v}`);
        });
        assert.deepEqual(space.decode(seq), g);
      }
    });

    void it('same seed gives the same samples; different seeds differ', () => {
      const a = Array.from(
        { length: 20 },
        (
          (r) => () =>
            space.hash(space.sample(r))
        )(Rng.seeded(7)),
      );
      const b = Array.from(
        { length: 20 },
        (
          (r) => () =>
            space.hash(space.sample(r))
        )(Rng.seeded(7)),
      );
      const c = Array.from(
        { length: 20 },
        (
          (r) => () =>
            space.hash(space.sample(r))
        )(Rng.seeded(8)),
      );
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    });

    void it('mutate returns a valid, non-equivalent neighbour that differs in one decision', () => {
      const rng = Rng.seeded(`mutate/${label}`);
      for (let i = 0; i < 500; i++) {
        const g = space.sample(rng);
        const m = space.mutate(g, rng);
        assert.notEqual(space.hash(m), space.hash(g));
        assert.deepEqual(space.parse(JSON.parse(JSON.stringify(space.serialize(m)))), m);
        const diff = space.encode(g).filter((v, k) => v !== space.encode(m)[k]).length;
        assert.ok(diff >= 1 && diff <= 2, `mutation changed ${diff} decisions`);
      }
    });

    void it('canonical is idempotent and preserves the hash', () => {
      const rng = Rng.seeded(`canon/${label}`);
      for (let i = 0; i < 200; i++) {
        const g = space.sample(rng);
        const c = space.canonical(g);
        assert.deepEqual(space.canonical(c), c);
        assert.equal(space.hash(c), space.hash(g));
      }
    });

    void it('rejects a decision sequence of the wrong length naming the field', () => {
      expectGenotypeError(() => space.decode([0]), 'sequence');
    });
  });
}

void describe('space registry', () => {
  void it('lists the four paper spaces and nb201, and rejects unknown names', () => {
    for (const name of ['nasnet', 'pnas', 'mnasnet', 'ponas', 'nb201']) assert.ok(listSpaces().includes(name), name);
    assert.equal(getSpace('nasnet'), nasnetSpace);
    assert.throws(() => getSpace('darts'), /expected one of/);
  });
});

void describe('nasnet space', () => {
  void it('parses NASNet-A with state names and hashes it like its index form', () => {
    const named = {
      normal: {
        blocks: NASNET_A.normal.blocks.map((b) => ({ ...b, inputs: b.inputs.map((i) => (i === 0 ? 'h_i' : i === 1 ? 'h_i-1' : `b${i - 2}`)) })),
        concat: ['h_i-1', 'b0', 'b1', 'b2', 'b3', 'b4'],
      },
      reduction: NASNET_A.reduction,
    };
    assert.deepEqual(nasnetSpace.parse(named), NASNET_A);
    assert.match(nasnetSpace.describe(NASNET_A), /^normal\[b0=sep_5x5\(h_i\)\+sep_3x3\(h_i-1\);.*concat\(h_i-1,b0,b1,b2,b3,b4\)\]/);
  });

  void it('drops an explicit concat equal to the unused-states rule from the canonical form', () => {
    const g = nasnetSpace.sample(Rng.seeded(11));
    const rule = [0, 1, 2, 3, 4, 5, 6].filter((s) => !g.normal.blocks.some((b) => b.inputs.includes(s)));
    const explicit = { ...g, normal: { ...g.normal, concat: rule } };
    assert.equal(nasnetSpace.hash(explicit), nasnetSpace.hash(g));
    assert.notEqual(nasnetSpace.hash({ ...g, normal: { ...g.normal, concat: [0, 1, 2, 3, 4, 5, 6] } }), nasnetSpace.hash(g));
  });

  void it('treats swapped branches of an add as equal, but not of a concat', () => {
    const swap = (g: typeof NASNET_A, combine: 'add' | 'concat') => ({
      ...g,
      normal: {
        ...g.normal,
        blocks: g.normal.blocks.map((b, i) => (i === 0 ? { inputs: [b.inputs[1], b.inputs[0]], ops: [b.ops[1], b.ops[0]], combine } : b)),
      },
    });
    const concat = nasnetSpace.parse(swap(nasnetSpace.parse(swap(NASNET_A, 'concat')), 'concat'));
    assert.equal(nasnetSpace.hash(nasnetSpace.parse(swap(NASNET_A, 'add'))), nasnetSpace.hash(NASNET_A));
    assert.notEqual(nasnetSpace.hash(nasnetSpace.parse(swap(NASNET_A, 'concat'))), nasnetSpace.hash(concat));
  });

  void it('has 2 x 5B decisions and the product size', () => {
    assert.equal(nasnetSpace.decisions().length, 50);
    let cell = 1n;
    for (let b = 0; b < 5; b++) cell *= BigInt((b + 2) ** 2 * 13 * 13 * 2);
    assert.equal(nasnetSpace.size(), cell * cell);
    assert.equal(createNasnetSpace({ blocks: 3 }).decisions().length, 30);
  });

  const bad: [string, (g: ReturnType<typeof structuredClone<typeof NASNET_A>>) => unknown, string][] = [
    ['a wrong op name', (g) => ((g.normal.blocks[2] as unknown as { ops: string[] }).ops[1] = 'conv_9x9'), 'normal.blocks[2].ops[1]'],
    ['an input index out of range', (g) => ((g.reduction.blocks[1] as unknown as { inputs: number[] }).inputs[0] = 3), 'reduction.blocks[1].inputs[0]'],
    ['a wrong block count', (g) => (g.normal.blocks as unknown[]).pop(), 'normal.blocks'],
    ['a wrong combiner', (g) => ((g.normal.blocks[0] as { combine: string }).combine = 'mul'), 'normal.blocks[0].combine'],
    ['a missing cell', (g) => delete (g as { reduction?: unknown }).reduction, 'reduction.blocks'],
    ['a concat state out of range', (g) => ((g.normal as unknown as { concat: number[] }).concat[5] = 7), 'normal.concat[5]'],
    ['an unordered concat list', (g) => ((g.reduction as unknown as { concat: number[] }).concat = [4, 3]), 'reduction.concat[1]'],
  ];
  for (const [what, edit, field] of bad) {
    void it(`rejects ${what}, naming ${field}`, () => {
      const g = structuredClone(NASNET_A);
      edit(g);
      expectGenotypeError(() => nasnetSpace.parse(g), field);
      try {
        nasnetSpace.parse(g);
      } catch (err) {
        assert.match((err as Error).message, /expected .*received/);
      }
    });
  }
});

void describe('pnas space', () => {
  void it('parses PNASNet-5 and rejects a concat combiner and a NASNet-only op', () => {
    assert.deepEqual(pnasSpace.parse(PNASNET_5), PNASNET_5);
    const concat = structuredClone(PNASNET_5) as unknown as { blocks: { combine: string; ops: string[] }[] };
    at(concat.blocks, 3).combine = 'concat';
    expectGenotypeError(() => pnasSpace.parse(concat), 'blocks[3].combine');
    const op = structuredClone(PNASNET_5) as unknown as { blocks: { ops: string[] }[] };
    at(op.blocks, 0).ops[0] = 'max_pool_5x5';
    expectGenotypeError(() => pnasSpace.parse(op), 'blocks[0].ops[0]');
    expectGenotypeError(() => createPnasSpace({ blocks: 4 }).parse(PNASNET_5), 'blocks');
  });

  void it('enumerates 136 distinct one-block cells and 4 x 256-ish expansions per cell', () => {
    const first = initialPnasCells();
    assert.equal(first.length, 136);
    const space1 = createPnasSpace({ blocks: 1 });
    assert.equal(new Set(first.map((g) => space1.hash(g))).size, 136);
    const next = expandPnasCell(at(first, 0));
    // 3 states x 8 ops = 24 branch choices; unordered pairs with repetition = 24 * 25 / 2.
    assert.equal(next.length, 300);
    const space2 = createPnasSpace({ blocks: 2 });
    for (const g of next) assert.deepEqual(space2.parse(g), g);
    assert.equal(space1.size(), 256n);
  });

  void it('tokenizes a cell as 4 tokens per block with separate vocabularies', () => {
    const t = pnasTokens(PNASNET_5);
    assert.equal(t.sequence.length, 20);
    assert.deepEqual(t.sequence.slice(0, 4), [1, 1, 1, 6]);
    assert.deepEqual(t.sequence, pnasSpace.encode(PNASNET_5));
  });
});

void describe('mnasnet space', () => {
  void it('describes a genotype as stage strings and has 432^7 members', () => {
    const g = mnasnetSpace.decode(new Array(42).fill(0).map((_, i) => (i % 6 === 0 ? 3 : 1)));
    assert.equal(mnasnetSpace.describe(g).split(' ')[1], 'ir_r2_k5_s2_e6_c24_se0.25');
    assert.equal(mnasnetSpace.size(), 432n ** 7n);
  });

  void it('merges a -1 layer delta on a 1-layer block with 0', () => {
    const g = mnasnetSpace.sample(Rng.seeded(3));
    const a = { blocks: g.blocks.map((b, i) => (i === 0 ? { ...b, layerDelta: -1 as const } : b)) };
    const b = { blocks: g.blocks.map((x, i) => (i === 0 ? { ...x, layerDelta: 0 as const } : x)) };
    assert.equal(mnasnetSpace.hash(a), mnasnetSpace.hash(b));
  });

  void it('rejects a bad kernel naming the block field', () => {
    const g = structuredClone(mnasnetSpace.sample(Rng.seeded(4))) as unknown as { blocks: Record<string, unknown>[] };
    at(g.blocks, 5).kernel = 7;
    expectGenotypeError(() => mnasnetSpace.parse(g), 'blocks[5].kernel');
  });
});

void describe('ponas space', () => {
  void it('has 12 candidates per layer over 19 layers and rejects bad layers', () => {
    assert.equal(ponasSpace.size(), 12n ** 19n);
    const g = structuredClone(ponasSpace.sample(Rng.seeded(5))) as unknown as { layers: Record<string, unknown>[] };
    at(g.layers, 18).expansion = 4;
    expectGenotypeError(() => ponasSpace.parse(g), 'layers[18].expansion');
    expectGenotypeError(() => ponasSpace.parse({ layers: [] }), 'layers');
  });
});

void describe('stage strings', () => {
  void it('round-trip and name bad fields', () => {
    for (const s of ['ir_r2_k3_s2_e6_c24', 'ds_r1_k3_s1_c16_nsk', 'cn_r3_k5_s1_c40_se0.25_psk']) assert.equal(formatStage(parseStage(s)), s);
    expectGenotypeError(() => parseStage('ir_r2_s2_e6_c24'), 'stage.k');
    expectGenotypeError(() => parseStage('xx_r1_k3_s1_c8'), 'stage');
  });
});
