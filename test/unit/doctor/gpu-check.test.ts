/** `nasflow doctor --gpu` on this machine (no GPU): it trains the probe net and says plainly that there is no GPU. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadBackend } from '../../../src/trainer/backend.js';
import { checkGpu, formatGpuCheck } from '../../../src/doctor/gpu-check.js';

void describe('GPU check', () => {
  void it('on a machine without a GPU: trains, reports images/s, fails with NO GPU and what to do', async () => {
    const loaded = await loadBackend('cpu', () => undefined);
    const c = await checkGpu(loaded, { minors: [], models: {} }, { steps: 2, batch: 4, now: () => performance.now() });
    assert.equal(c.ok, false);
    assert.equal(c.device.kind, 'cpu');
    assert.ok(c.training.imagesPerSecond > 0);
    assert.ok(Number.isFinite(c.training.lastLoss));
    const text = formatGpuCheck(c);
    assert.match(text, /NVIDIA devices visible: none/);
    assert.match(text, /GPU check FAILED: NO GPU: training ran on the CPU/);
    assert.match(text, /docs\/gpu\.md/);
  });
});
