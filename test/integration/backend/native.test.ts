/**
 * The native TensorFlow backend (scripts/provision-tfjs-node.sh) loads, computes the same
 * gradients as the pure-JS backend, trains, and is much faster; and selection falls back to pure
 * JS with a warning when the native build is missing. Provisions on first run (about a minute);
 * skips visibly, with the recorded reason, where provisioning reported the backend unavailable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor4D } from '@tensorflow/tfjs';
import { Rng } from '../../../src/common/rng.js';
import { loadFastestBackend, type Tf } from '../../../src/trainer/backend/select.js';
import { NATIVE_KEY, defaultToolsDir } from '../../../src/trainer/backend/native-cache.js';
import { ensureNativeProvisioned } from '../../../src/trainer/backend/provision.js';
import { buildProbeNet, probeBatch } from '../../../src/trainer/backend/probe-net.js';
import { at } from '../../../src/common/indexing.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const toolsDir = defaultToolsDir(process.env);
const status = ensureNativeProvisioned({ repoRoot, toolsDir });
const skip = status.ok ? false : `native backend unavailable: ${status.reason}`;
if (skip) console.log(`# SKIP ${skip}`);

void test('the cache key and tfjs version in the provisioning script match the loader and package.json', () => {
  const script = readFileSync(join(repoRoot, 'scripts', 'provision-tfjs-node.sh'), 'utf8');
  const value = (name: string): string => script.match(new RegExp(`^${name}=(\\S+)$`, 'm'))?.[1] ?? '';
  assert.equal(`${value('TFJS_NODE_VERSION')}-tf${value('TF_VERSION')}-napi${value('NAPI_VERSION')}`, NATIVE_KEY);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  // Both tfjs copies share one engine and kernel registry, so they must be the same release.
  assert.equal(value('TFJS_NODE_VERSION'), pkg.dependencies['@tensorflow/tfjs']);
});

/** Loss and per-variable gradients of the probe net on one batch, on the active backend. */
function lossAndGrads(
  tf: Tf,
  model: ReturnType<typeof buildProbeNet>,
  x: ReturnType<Tf['zeros']>,
  y: ReturnType<Tf['zeros']>,
): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as ReturnType<Tf['zeros']>) as never);
    const names = Object.keys(grads).sort();
    return { loss: at(value.dataSync(), 0, 'loss'), grads: names.map((n) => grads[n]!.dataSync() as Float32Array) };
  });
}

void test('native backend loads, matches pure-JS gradients, trains, and is much faster', { skip }, async () => {
  const loaded = await loadFastestBackend({ order: ['tfjs-node'], toolsDir });
  const { tf } = loaded;
  assert.equal(loaded.backend, 'tfjs-node');
  assert.equal(loaded.warning, undefined);
  assert.equal(tf.getBackend(), 'tensorflow');

  // Max pooling in the cross-check: the pure-JS AvgPoolGrad is wrong at borders (next test).
  const model = buildProbeNet(tf, { seed: 7, normalPool: 'max' });
  const { x, y } = probeBatch(tf, Rng.seeded(7), { examples: 4 });
  const timed = async (backend: string) => {
    assert.ok(await tf.setBackend(backend), `setBackend(${backend})`);
    lossAndGrads(tf, model, x, y); // warm-up: kernel set-up and weight transfer are not timed
    const start = performance.now();
    const out = lossAndGrads(tf, model, x, y);
    return { ...out, ms: performance.now() - start };
  };
  const cpu = await timed('cpu');
  const native = await timed('tensorflow');
  assert.ok(Math.abs(native.loss - cpu.loss) <= 1e-3 * Math.abs(cpu.loss), `loss ${native.loss} vs ${cpu.loss}`);
  assert.equal(native.grads.length, cpu.grads.length);
  native.grads.forEach((g, i) => {
    const expected = at(cpu.grads, i, 'gradient');
    const scale = Math.max(1e-6, ...expected.map(Math.abs));
    const worst = Math.max(...g.map((v, j) => Math.abs(v - at(expected, j, `gradient ${i} element`))));
    assert.ok(worst <= 2e-3 * scale, `gradient ${i}: max difference ${worst} vs scale ${scale}`);
  });
  // Measured ~100x apart; 10x leaves room for a busy shared machine.
  assert.ok(native.ms * 10 < cpu.ms, `native ${native.ms.toFixed(0)} ms vs pure JS ${cpu.ms.toFixed(0)} ms`);

  const data = probeBatch(tf, Rng.seeded(11), { examples: 64 });
  model.compile({ optimizer: tf.train.momentum(0.02, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(data.x, data.y, { epochs: 12, batchSize: 32, shuffle: false, verbose: 0 });
  const losses = history.history.loss as number[];
  const accuracy = history.history.acc as number[];
  assert.ok(losses.at(-1)! < 0.5 * at(losses, 0), `loss went ${losses[0]} -> ${losses.at(-1)}`);
  assert.ok(accuracy.at(-1)! > 0.5, `final training accuracy ${accuracy.at(-1)} (chance is 0.1)`);
  tf.dispose([x, y, data.x, data.y]);
  model.dispose();
});

void test('native average-pool gradient divides by the valid window at padded borders', { skip }, async () => {
  const { tf } = await loadFastestBackend({ order: ['tfjs-node'], toolsDir });
  // A 2x2 input under a 3x3 'same' window: every output is the mean of all four inputs, so the
  // sum of the outputs is the sum of the inputs and each input's gradient is exactly 1.
  // (The pure-JS backend gives 4/9 here: it divides by the full window.)
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const grad = tf.grad((v) => tf.avgPool(v as Tensor4D, 3, 1, 'same').sum())(x);
  assert.deepEqual(Array.from(grad.dataSync()), [1, 1, 1, 1]);
  tf.dispose([x, grad]);
});

void test('selection falls back to pure JS with a warning naming the missing native build', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'nasflow-tools-'));
  try {
    const loaded = await loadFastestBackend({ order: ['tfjs-node', 'cpu'], toolsDir: empty });
    assert.equal(loaded.backend, 'cpu');
    assert.equal(loaded.tf.getBackend(), 'cpu');
    assert.match(loaded.warning ?? '', /tfjs-node: not provisioned/);
    assert.match(loaded.warning ?? '', /pure-JS/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
