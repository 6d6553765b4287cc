/**
 * `nasflow zoo import mnasnet-b1 --from timm` and `zoo export --to timm` through the CLI, on the
 * committed fixture of scripts/weights-fixtures/generate.py: timm's own MnasNet-B1 generator at
 * channel multiplier 0.25 (the mapping is the one of mnasnet_100; only the widths shrink), 10
 * classes, seeded weights with settled BN statistics, and timm's eval-mode logits on a seeded
 * 2 x 64 x 64 input. The imported network must give those logits within 1e-4 on the selected
 * backend (native tfjs-node where provisioned, else pure JS; the test names it). Export -> re-import
 * must round-trip exactly; the same weights under TF SAME padding must not match (so the fixture
 * really tests the padding); a wrong width, a damaged file and a wrong flag give named errors.
 *
 * NASFLOW_WEIGHTS_FULL=<dir of generate.py --full> adds the full-size mnasnet_100 check.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { runCli } from '../../helpers/cli.js';
import { logitsOf as fixtureLogits, maxAbsDiff, readWeightsFixture, WEIGHTS_FIXTURES, type WeightsFixture } from '../../helpers/weights-fixture.js';
import { buildDef } from '../../../src/models/index.js';
import { loadModelFromDir } from '../../../src/models/model-files.js';
import { readSafetensors, type NamedTensor } from '../../../src/models/weights/safetensors.js';
import { peerNetwork } from '../../../src/models/weights/zoo-weights.js';
import { loadBackend, type LoadedBackend } from '../../../src/trainer/backend.js';

const TOLERANCE = 1e-4;
const KEYS = ['width', 'classes', 'inputSize'] as const;
type Fixture = WeightsFixture<(typeof KEYS)[number]>;
const readFixture = (dir: string, name: string): Promise<Fixture> => readWeightsFixture(dir, name, 'safetensors', KEYS);

void describe('zoo import/export --from/--to timm: mnasnet-b1 weights give timm logits', () => {
  let backend: LoadedBackend;
  let dir: string;
  let fx: Fixture;
  const env = { ...process.env };

  const importArgs = (f: Fixture, file: string, out: string) => [
    'zoo',
    'import',
    'mnasnet-b1',
    file,
    '--from',
    'timm',
    '--width',
    String(f.meta.width),
    '--classes',
    String(f.meta.classes),
    '--input-size',
    String(f.meta.inputSize),
    '--out',
    out,
  ];

  const logitsOf = (model: tfc.LayersModel, input: NamedTensor): Float32Array => fixtureLogits(backend.tf, model, input);

  before(async () => {
    backend = await loadBackend(undefined, () => undefined);
    // The CLI child selects the same way; pin it to what this process got so both use one backend.
    env.NASFLOW_TF_BACKEND = backend.pkg === 'cpu' ? 'cpu' : 'node';
    dir = await mkdtemp(join(tmpdir(), 'nasflow-weights-timm-'));
    fx = await readFixture(WEIGHTS_FIXTURES, 'timm-mnasnet-w025');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it(`import: logits within ${TOLERANCE} of timm's on the fixture input`, async () => {
    const out = join(dir, 'imported');
    const r = await runCli(importArgs(fx, fx.weights, out), env);
    assert.equal(r.code, 0, r.stderr);
    const model = await loadModelFromDir(backend.tf, out);
    const diff = maxAbsDiff(logitsOf(model, fx.input), fx.logits.data);
    model.dispose();
    console.log(`timm-mnasnet-w025 (${fx.meta.peer}) on ${backend.backend}: max |logit difference| ${diff.toExponential(2)}`);
    assert.ok(diff <= TOLERANCE, `max |logit difference| ${diff} > ${TOLERANCE}`);
  });

  void it('the same weights under TF SAME padding do not give timm logits (the fixture tests the padding)', async () => {
    const model = await loadModelFromDir(backend.tf, join(dir, 'imported'));
    const { def, options } = peerNetwork({ model: 'mnasnet-b1', from: 'timm', width: fx.meta.width, classes: fx.meta.classes, inputSize: fx.meta.inputSize });
    assert.equal(def.kind, 'chain');
    const same = buildDef(backend.tf, { ...def, macro: { ...def.macro, padding: 'same' } } as typeof def, options);
    same.setWeights(model.getWeights());
    const diff = maxAbsDiff(logitsOf(same, fx.input), fx.logits.data);
    same.dispose();
    model.dispose();
    assert.ok(diff > 100 * TOLERANCE, `SAME padding should change the logits; max difference ${diff}`);
  });

  void it('export --to timm then re-import: the same tensors and the same logits', async () => {
    const exported = join(dir, 'exported.safetensors');
    const r = await runCli(['zoo', 'export', '--weights', join(dir, 'imported'), '--to', 'timm', '--out', exported], env);
    assert.equal(r.code, 0, r.stderr);
    const original = readSafetensors(await readFile(fx.weights), fx.weights);
    const back = readSafetensors(await readFile(exported), exported);
    assert.deepEqual([...back.keys()].sort(), [...original.keys()].sort(), 'export writes every tensor of the timm state dict');
    for (const [name, t] of original) {
      if (name.endsWith('num_batches_tracked')) continue;
      assert.deepEqual(back.get(name)?.shape, t.shape, name);
      assert.equal(maxAbsDiff(back.get(name)!.data, t.data), 0, `${name} round-trips exactly`);
    }
    const again = join(dir, 'reimported');
    const r2 = await runCli(importArgs(fx, exported, again), env);
    assert.equal(r2.code, 0, r2.stderr);
    const a = await loadModelFromDir(backend.tf, join(dir, 'imported'));
    const b = await loadModelFromDir(backend.tf, again);
    assert.equal(maxAbsDiff(logitsOf(a, fx.input), logitsOf(b, fx.input)), 0);
    a.dispose();
    b.dispose();
  });

  void it('a wrong width names the tensor, both shapes and --width', async () => {
    const args = importArgs(fx, fx.weights, join(dir, 'wrong'));
    args[args.indexOf('--width') + 1] = '0.5';
    const r = await runCli(args, env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /tensor conv_stem\.weight has shape \[8, 3, 3, 3\], expected \[16, 3, 3, 3\].*--width/);
  });

  void it('a damaged file and an unknown framework are refused by name', async () => {
    const bad = join(dir, 'bad.safetensors');
    await writeFile(bad, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    const r = await runCli(importArgs(fx, bad, join(dir, 'bad')), env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bad\.safetensors is not a valid safetensors file: header length 200 exceeds the file/);
    const args = importArgs(fx, fx.weights, join(dir, 'x'));
    args[args.indexOf('--from') + 1] = 'caffe';
    const r2 = await runCli(args, env);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /--from: expected one of timm.*received "caffe"/);
  });

  const full = process.env.NASFLOW_WEIGHTS_FULL;
  void it('full-size mnasnet_100 (NASFLOW_WEIGHTS_FULL)', { skip: full ? false : 'set NASFLOW_WEIGHTS_FULL to a generate.py --full dir' }, async () => {
    const f = await readFixture(full!, 'timm-mnasnet_100');
    const out = join(dir, 'full');
    const r = await runCli(importArgs(f, f.weights, out), env);
    assert.equal(r.code, 0, r.stderr);
    const model = await loadModelFromDir(backend.tf, out);
    const diff = maxAbsDiff(logitsOf(model, f.input), f.logits.data);
    model.dispose();
    console.log(`timm mnasnet_100 full size on ${backend.backend}: max |logit difference| ${diff.toExponential(2)}`);
    assert.ok(diff <= TOLERANCE, `max |logit difference| ${diff} > ${TOLERANCE}`);
  });
});
