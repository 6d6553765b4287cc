import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/common/rng.js';
import { nb201Space, fromArchString, toArchString, NB201_OPS } from '../../../src/space/nb201.js';
import { isGenotypeError } from '../../../src/space/types.js';
import { loadNb201 } from '../../../src/bench/nb201-table.js';

void describe('NAS-Bench-201 cell space', () => {
  void it('has 15,625 cells and 6 op decisions of width 5', () => {
    assert.equal(nb201Space.size(), 15625n);
    assert.equal(nb201Space.decisions().length, 6);
    assert.ok(nb201Space.decisions().every((d) => d.choices === 5 && d.kind === 'op'));
  });
  void it('reads and writes every architecture string of the benchmark table', () => {
    const table = loadNb201('nb201-cifar10');
    assert.equal(table.rows.length, 15625);
    assert.equal(new Set(table.rows.map((r) => r.arch)).size, 15625);
    for (const r of table.rows.slice(0, 500)) assert.equal(toArchString(fromArchString(r.arch)), r.arch);
  });
  void it('round-trips parse/serialize and encode/decode', () => {
    const rng = Rng.seeded(1);
    for (let i = 0; i < 50; i++) {
      const g = nb201Space.sample(rng);
      assert.deepEqual(nb201Space.parse(JSON.parse(JSON.stringify(nb201Space.serialize(g)))), g);
      assert.deepEqual(nb201Space.decode(nb201Space.encode(g)), g);
    }
  });
  void it('mutates exactly one edge', () => {
    const rng = Rng.seeded(2);
    for (let i = 0; i < 50; i++) {
      const g = nb201Space.sample(rng);
      const m = nb201Space.mutate(g, rng);
      assert.equal(g.edges.filter((op, k) => op !== m.edges[k]).length, 1);
      assert.notEqual(nb201Space.hash(m), nb201Space.hash(g));
    }
  });
  void it('names the field and the allowed ops on a bad genotype', () => {
    assert.throws(
      () => nb201Space.parse({ edges: ['none', 'skip_connect', 'conv', 'none', 'none', 'none'] }),
      (e: unknown) => isGenotypeError(e) && e.field === 'edges[2]' && e.message.includes(NB201_OPS.join(', ')),
    );
    assert.throws(
      () => nb201Space.parse({ edges: [] }),
      (e: unknown) => isGenotypeError(e) && e.field === 'edges',
    );
  });
});
