/**
 * `nasflow zoo import nasnet-a-mobile --from keras` through the CLI, on the committed fixture of
 * scripts/weights-fixtures/generate.py: Keras's own `keras.applications.nasnet.NASNet` (the
 * NASNetMobile generator) with num_blocks 2 and penultimate_filters 288 (F = 12: every layer kind
 * of NASNetMobile, odd channel counts and odd feature-map sides included), 10 classes, seeded
 * weights with real BN moving statistics, and Keras's eval-mode logits on a seeded 2 x 64 x 64
 * input. The imported network must give those logits within 1e-4 on the selected backend; the
 * same weights with TF-slim's SAME pooling must not (Keras zero-pads its strided pools); wrong
 * sizes and a .keras archive are refused by name.
 *
 * NASFLOW_WEIGHTS_FULL=<dir of generate.py --full> adds the full-size NASNetMobile check.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { runCli } from '../../helpers/cli.js';
import { logitsOf as fixtureLogits, maxAbsDiff, readWeightsFixture, WEIGHTS_FIXTURES, type WeightsFixture } from '../../helpers/weights-fixture.js';
import { buildDef } from '../../../src/models/index.js';
import { loadModelFromDir } from '../../../src/models/model-files.js';
import { type NamedTensor } from '../../../src/models/weights/safetensors.js';
import { peerNetwork } from '../../../src/models/weights/zoo-weights.js';
import { loadBackend, type LoadedBackend } from '../../../src/trainer/backend.js';

const TOLERANCE = 1e-4;
const KEYS = ['cells', 'filters', 'classes', 'inputSize'] as const;
type Fixture = WeightsFixture<(typeof KEYS)[number]>;
const readFixture = (dir: string, name: string): Promise<Fixture> => readWeightsFixture(dir, name, 'h5', KEYS);

void describe('zoo import --from keras: NASNet-A weights give Keras logits', () => {
  let backend: LoadedBackend;
  let dir: string;
  let fx: Fixture;
  const env = { ...process.env };

  const importArgs = (f: Fixture, file: string, out: string) => [
    'zoo',
    'import',
    'nasnet-a-mobile',
    file,
    '--from',
    'keras',
    '--cells',
    String(f.meta.cells),
    '--filters',
    String(f.meta.filters),
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
    env.NASFLOW_TF_BACKEND = backend.pkg === 'cpu' ? 'cpu' : 'node';
    dir = await mkdtemp(join(tmpdir(), 'nasflow-weights-keras-'));
    fx = await readFixture(WEIGHTS_FIXTURES, 'keras-nasnet-n2f12');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it(`import: logits within ${TOLERANCE} of Keras's on the fixture input`, async () => {
    const out = join(dir, 'imported');
    const r = await runCli(importArgs(fx, fx.weights, out), env);
    assert.equal(r.code, 0, r.stderr);
    const model = await loadModelFromDir(backend.tf, out);
    const diff = maxAbsDiff(logitsOf(model, fx.input), fx.logits.data);
    model.dispose();
    console.log(`keras-nasnet-n2f12 (${fx.meta.peer}) on ${backend.backend}: max |logit difference| ${diff.toExponential(2)}`);
    assert.ok(diff <= TOLERANCE, `max |logit difference| ${diff} > ${TOLERANCE}`);
  });

  void it("the same weights with TF-slim's SAME pooling do not give Keras logits (the fixture tests the padding)", async () => {
    const model = await loadModelFromDir(backend.tf, join(dir, 'imported'));
    const { def, options } = peerNetwork({
      model: 'nasnet-a-mobile',
      from: 'keras',
      cells: fx.meta.cells,
      filters: fx.meta.filters,
      classes: fx.meta.classes,
      inputSize: fx.meta.inputSize,
    });
    assert.equal(def.kind, 'cells');
    const same = buildDef(backend.tf, { ...def, macro: { ...def.macro, poolPadding: 'same' } } as typeof def, options);
    same.setWeights(model.getWeights());
    const diff = maxAbsDiff(logitsOf(same, fx.input), fx.logits.data);
    same.dispose();
    model.dispose();
    assert.ok(diff > 100 * TOLERANCE, `SAME pooling should change the logits; max difference ${diff}`);
  });

  void it('wrong --filters names the Keras tensor and both shapes; a .keras archive is refused with the fix', async () => {
    const args = importArgs(fx, fx.weights, join(dir, 'wrong'));
    args[args.indexOf('--filters') + 1] = '16';
    const r = await runCli(args, env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /tensor layers\/\S+\/vars\/0 has shape \[[\d, ]+\], expected \[[\d, ]+\] for nasflow weight .*--filters/);
    const archive = join(dir, 'model.keras');
    await writeFile(archive, Buffer.from('PK\x03\x04not-really-a-zip'));
    const r2 = await runCli(importArgs(fx, archive, join(dir, 'zip')), env);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /model\.keras is a \.keras archive.*model\.save\('model\.h5'\)/);
  });

  const full = process.env.NASFLOW_WEIGHTS_FULL;
  void it('full-size NASNetMobile (NASFLOW_WEIGHTS_FULL)', { skip: full ? false : 'set NASFLOW_WEIGHTS_FULL to a generate.py --full dir' }, async () => {
    const f = await readFixture(full!, 'keras-nasnet-mobile');
    const out = join(dir, 'full');
    const r = await runCli(importArgs(f, f.weights, out), env);
    assert.equal(r.code, 0, r.stderr);
    const model = await loadModelFromDir(backend.tf, out);
    const diff = maxAbsDiff(logitsOf(model, f.input), f.logits.data);
    model.dispose();
    console.log(`Keras NASNetMobile full size on ${backend.backend}: max |logit difference| ${diff.toExponential(2)}`);
    assert.ok(diff <= TOLERANCE, `max |logit difference| ${diff} > ${TOLERANCE}`);
  });
});
