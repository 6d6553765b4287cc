import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { at } from '../../../src/common/indexing.js';

void describe('at', () => {
  void it('returns the element at every index in range', () => {
    const xs = ['a', 'b', 'c'];
    assert.deepEqual(
      xs.map((_, i) => at(xs, i)),
      xs,
    );
  });

  void it('reads typed arrays and strings', () => {
    assert.equal(at(new Float32Array([0.5, 1.5]), 1), 1.5);
    assert.equal(at('xyz', 2), 'z');
  });

  void it('returns a stored undefined rather than throwing (only the index is checked)', () => {
    const xs: (number | undefined)[] = [1, undefined];
    assert.equal(at(xs, 1), undefined);
  });

  for (const [i, label] of [
    [3, 'one past the end'],
    [-1, 'negative'],
    [1.5, 'fractional'],
    [Number.NaN, 'NaN'],
  ] as const) {
    void it(`throws a RangeError naming the index and length for a ${label} index`, () => {
      assert.throws(() => at([10, 20, 30], i), { name: 'RangeError', message: `index ${i} out of range (length 3)` });
    });
  }

  void it('names what was indexed', () => {
    assert.throws(() => at([], 0, 'stage'), { name: 'RangeError', message: 'stage 0 out of range (length 0)' });
  });
});
