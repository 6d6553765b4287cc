import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToFloat32, float32ToBase64 } from '../../../src/algorithms/nn/base64.js';

void describe('float32 base64 blobs', () => {
  for (const n of [0, 1, 2, 3, 7, 100]) {
    void it(`round-trips ${n} floats bit-exactly and matches Node's Buffer encoding`, () => {
      const v = new Float32Array(n).map((_, i) => Math.sin(i * 1.7) * 10 ** ((i % 7) - 3));
      if (n > 2) v[2] = -0;
      const text = float32ToBase64(v);
      assert.equal(text, Buffer.from(v.buffer).toString('base64'));
      const back = base64ToFloat32(text);
      assert.deepEqual(new Uint8Array(back.buffer), new Uint8Array(v.buffer));
    });
  }
});
