/**
 * `nasflow zoo evaluate` through the CLI, as a user runs it, on the native backend (tfjs-node
 * decodes the images). A tiny seeded network saved as a tfjs layers model dir is evaluated on
 * (a) an image folder of real PNG and JPEG files (7 classes, solid colours, sizes that need the
 * resize + centre crop), (b) a CIFAR-10 binary test split, and (c) a NASNet child trained by the
 * real trainer and written by `search export` (its directory is the --weights), and (d) the zoo's
 * nasnet-a-cifar by name; the reported top-1 / top-5 counts
 * must equal the ones computed here from the model's own predictions on inputs built
 * independently of the evaluator (a solid colour stays that colour through any resize and crop).
 * Then the refusals: missing folder, empty class, undecodable file, class-count mismatch, weights
 * that are not the named zoo model's (and real mnasnet-a1 weights that are), a directory without
 * model.json.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tfc from '@tensorflow/tfjs';
import { runCli } from '../../helpers/cli.js';
import { trainTinyTrial } from '../../helpers/tiny-trial.js';
import { buildDef, getModel } from '../../../src/models/index.js';
import { loadModelFromDir, saveModelToDir } from '../../../src/models/model-files.js';
import type { TrainedResult } from '../../../src/api/trial-result.js';
import { LocalStore } from '../../../src/store/local-store.js';
import { MEAN, STD, makeBatch } from '../../../src/trainer/augment.js';
import { loadBackend, type TF } from '../../../src/trainer/backend.js';
import { TEST_FILE, decodeRecords } from '../../../src/trainer/cifar-format.js';
import { exportTrial } from '../../../src/trainer/export-trial.js';
import { UnusableDataError } from '../../../src/trainer/errors.js';
import { writeSynthetic } from '../../../src/trainer/synth.js';

const SEARCH = 'local/zoo-eval/c3d4e5';
const SIDE = 8;
const isUnusableData = (err: unknown): boolean => err instanceof UnusableDataError;
const CLASSES = 7;

interface NodeImages {
  node: {
    encodePng(image: tfc.Tensor3D): Promise<Uint8Array>;
    encodeJpeg(image: tfc.Tensor3D, format?: '' | 'rgb', quality?: number): Promise<Uint8Array>;
    decodeImage(bytes: Uint8Array, channels?: number): tfc.Tensor3D;
  };
}

/** Conv -> global average -> dense, seeded: a network whose predictions on solid colours are neither all right nor all wrong. */
function tinyNet(tf: TF, classes: number): tfc.LayersModel {
  const input = tf.input({ shape: [SIDE, SIDE, 3] });
  const conv = tf.layers.conv2d({
    filters: 6,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
  });
  const pool = tf.layers.globalAveragePooling2d({});
  const dense = tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }), biasInitializer: 'zeros' });
  return tf.model({ inputs: input, outputs: dense.apply(pool.apply(conv.apply(input))) as tfc.SymbolicTensor });
}

/** Top-1 and top-k hits of `model` on `inputs` [n, SIDE, SIDE, 3] against `labels`. */
function hits(tf: TF, model: tfc.LayersModel, inputs: Float32Array, labels: readonly number[]): { correct1: number; correct5: number } {
  const logits = tf.tidy(() => (model.predict(tf.tensor4d(inputs, [labels.length, SIDE, SIDE, 3])) as tfc.Tensor2D).arraySync());
  let correct1 = 0;
  let correct5 = 0;
  for (const [i, row] of logits.entries()) {
    const order = row.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]);
    const label = labels[i];
    if (order[0]?.[1] === label) correct1++;
    if (order.slice(0, 5).some(([, c]) => c === label)) correct5++;
  }
  return { correct1, correct5 };
}

interface EvalJson {
  format: string;
  count: number;
  classes: number;
  correct1: number;
  correct5: number;
  top1: number;
  top5: number;
  imagesPerSecond: number;
}

void describe('image-folder datasets and nasflow zoo evaluate: top-1 / top-5 of saved weights on image folders and CIFAR binary', () => {
  let tf: TF;
  let dir: string;
  let weights: string;
  let model: tfc.LayersModel;
  const env = { ...process.env, NASFLOW_TF_BACKEND: 'node' };

  /** Writes a solid-colour image of `h` x `w` as PNG or JPEG; returns the colour it decodes to. */
  const writeImage = async (path: string, rgb: readonly number[], h: number, w: number, jpeg: boolean): Promise<number[]> => {
    const node = (tf as unknown as NodeImages).node;
    const img = tf.tidy(
      () =>
        tf
          .tensor1d([...rgb], 'int32')
          .reshape([1, 1, 3])
          .tile([h, w, 1]) as tfc.Tensor3D,
    );
    const bytes = jpeg ? await node.encodeJpeg(img, 'rgb', 100) : await node.encodePng(img);
    img.dispose();
    await writeFile(path, bytes);
    // JPEG may shift a solid colour by a level; what the file holds is what the evaluator sees.
    const decoded = node.decodeImage(bytes, 3);
    const [min, max] = tf.tidy(() => [decoded.min([0, 1]).arraySync() as number[], decoded.max([0, 1]).arraySync() as number[]]);
    decoded.dispose();
    assert.deepEqual(min, max, `${path} decodes to one solid colour`);
    return min!;
  };

  before(async () => {
    const backend = await loadBackend('node', () => undefined);
    tf = backend.tf;
    dir = await mkdtemp(join(tmpdir(), 'nasflow-zoo-eval-'));
    weights = join(dir, 'weights');
    model = tinyNet(tf, CLASSES);
    await saveModelToDir(tf, model, weights);
  });

  after(async () => {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  void it('image folder (PNG + JPEG, resized and centre-cropped): the CLI counts equal the model predictions', async () => {
    const root = join(dir, 'images');
    const labels: number[] = [];
    const colours: number[][] = [];
    // Class folder names sort differently as strings than as numbers: labels follow the string order.
    const names = Array.from({ length: CLASSES }, (_, c) => `class_${String.fromCharCode(103 - c)}`).sort();
    for (const [label, name] of names.entries()) {
      await mkdir(join(root, name), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const rgb = [(37 * label + 80 * i) % 256, (91 * label + 13 * i) % 256, (150 + 29 * label * i) % 256];
        colours.push(await writeImage(join(root, name, `img_${i}.${i === 2 ? 'jpg' : 'png'}`), rgb, 12 + i, 10 + 2 * i, i === 2));
        labels.push(label);
      }
    }
    await writeFile(join(root, names[0]!, 'notes.txt'), 'not an image, skipped');
    const inputs = new Float32Array(labels.length * SIDE * SIDE * 3);
    for (const [n, rgb] of colours.entries()) {
      for (let p = 0; p < SIDE * SIDE; p++) for (let c = 0; c < 3; c++) inputs[(n * SIDE * SIDE + p) * 3 + c] = (rgb[c]! / 255 - MEAN[c]!) / STD[c]!;
    }
    const expected = hits(tf, model, inputs, labels);
    assert.ok(
      expected.correct1 > 0 && expected.correct1 < labels.length,
      `the test's network is neither all right nor all wrong (${expected.correct1}/${labels.length})`,
    );
    assert.ok(expected.correct5 > expected.correct1 && expected.correct5 < labels.length, `top-5 differs from top-1 and from all (${expected.correct5})`);

    const run = await runCli(['zoo', 'evaluate', '--weights', weights, '--dataset', root, '--batch-size', '4', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const got = JSON.parse(run.stdout) as EvalJson;
    assert.equal(got.format, 'image-folder');
    assert.equal(got.count, labels.length);
    assert.equal(got.classes, CLASSES);
    assert.deepEqual({ correct1: got.correct1, correct5: got.correct5 }, expected);
    assert.ok(Math.abs(got.top1 - (100 * expected.correct1) / labels.length) < 1e-9);
    assert.ok(Math.abs(got.top5 - (100 * expected.correct5) / labels.length) < 1e-9);
    assert.ok(got.imagesPerSecond > 0);

    const text = await runCli(['zoo', 'evaluate', '--weights', weights, '--dataset', root], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`top-1 ${got.top1.toFixed(2)}% \\(${expected.correct1}/${labels.length}\\), top-5 ${got.top5.toFixed(2)}%`));
    assert.match(text.stdout, /images\/s on tensorflow/);
  });

  void it('CIFAR-10 binary: test_batch.bin, preprocessed as the trainer evaluates', async () => {
    const data = join(dir, 'cifar');
    await writeSynthetic(new LocalStore(data), { classes: CLASSES, train: 20, test: 40, seed: 9 });
    const set = decodeRecords(await new LocalStore(data).get(TEST_FILE), (m) => new Error(m));
    const labels = Array.from(set.labels);
    const inputs = makeBatch(
      set,
      labels.map((_, i) => i),
      { imageSize: SIDE, padCrop: 0, flip: false, cutout: 0 },
      null,
    );
    const expected = hits(tf, model, inputs, labels);
    const run = await runCli(['zoo', 'evaluate', '--weights', weights, '--dataset', data, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const got = JSON.parse(run.stdout) as EvalJson;
    assert.equal(got.format, 'cifar-binary');
    assert.equal(got.count, 40);
    assert.deepEqual({ correct1: got.correct1, correct5: got.correct5 }, expected);
  });

  void it('a zoo model by name: nasnet-a-cifar weights pass the registry check and evaluate on CIFAR', async () => {
    const data = join(dir, 'cifar-zoo');
    await writeSynthetic(new LocalStore(data), { classes: 10, train: 10, test: 24, seed: 11 });
    const zooWeights = join(dir, 'nasnet-a-cifar');
    const zoo = buildDef(tf, getModel('nasnet-a-cifar').def());
    await saveModelToDir(tf, zoo, zooWeights);
    const set = decodeRecords(await new LocalStore(data).get(TEST_FILE), (m) => new Error(m));
    const labels = Array.from(set.labels);
    const x = makeBatch(
      set,
      labels.map((_, i) => i),
      { imageSize: 32, padCrop: 0, flip: false, cutout: 0 },
      null,
    );
    const logits = tf.tidy(() => {
      const out = zoo.predict(tf.tensor4d(x, [labels.length, 32, 32, 3]));
      return ((Array.isArray(out) ? out[0] : out) as tfc.Tensor2D).arraySync();
    });
    zoo.dispose();
    const expected = { correct1: 0, correct5: 0 };
    for (const [i, row] of logits.entries()) {
      const order = row.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]);
      if (order[0]?.[1] === labels[i]) expected.correct1++;
      if (order.slice(0, 5).some(([, c]) => c === labels[i])) expected.correct5++;
    }
    const run = await runCli(['zoo', 'evaluate', 'nasnet-a-cifar', '--weights', zooWeights, '--dataset', data, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const got = JSON.parse(run.stdout) as EvalJson & { model: string; inputSize: number };
    assert.equal(got.model, 'nasnet-a-cifar');
    assert.equal(got.inputSize, 32);
    assert.equal(got.count, 24);
    assert.deepEqual({ correct1: got.correct1, correct5: got.correct5 }, expected);
  });

  void it('a "search export" directory as --weights: a trained NASNet child on its CIFAR test split', async () => {
    const storage = join(dir, 'storage');
    const store = new LocalStore(storage);
    const data = join(dir, 'trial-data');
    await writeSynthetic(new LocalStore(data), { classes: 4, train: 64, test: 24, seed: 4 });
    await trainTinyTrial({
      store,
      storage,
      searchId: SEARCH,
      trialId: `${SEARCH}/0/0`,
      macro: { stem: 'cifar', cellsPerStage: 1, filters: 4, classes: 4 },
      recipe: { epochs: 1, batchSize: 16, imageSize: SIDE, checkpointEverySteps: 4 },
      dataset: data,
      seed: 1,
      backend: await loadBackend('node', () => undefined),
    });
    const out = join(dir, 'export');
    await exportTrial({ tf, store, searchId: SEARCH, rank: 1, outDir: out });

    const set = decodeRecords(await new LocalStore(data).get(TEST_FILE), (m) => new Error(m));
    const labels = Array.from(set.labels);
    const exported = await loadModelFromDir(tf, out);
    const expected = hits(
      tf,
      exported,
      makeBatch(
        set,
        labels.map((_, i) => i),
        { imageSize: SIDE, padCrop: 0, flip: false, cutout: 0 },
        null,
      ),
      labels,
    );
    exported.dispose();
    const run = await runCli(['zoo', 'evaluate', '--weights', out, '--dataset', pathToFileURL(data).href, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const got = JSON.parse(run.stdout) as EvalJson;
    assert.equal(got.count, 24);
    assert.equal(got.classes, 4);
    assert.deepEqual({ correct1: got.correct1, correct5: got.correct5 }, expected);
    assert.equal(got.correct5, 24, 'top-5 of 4 classes is every image');
  });

  void it('the trainer trains on an image folder: stratified validation split, an undecodable file named', async () => {
    const root = join(dir, 'train-images');
    for (const [label, rgb] of [
      [200, 30, 30],
      [30, 200, 30],
      [30, 30, 200],
    ].entries()) {
      await mkdir(join(root, `k${label}`), { recursive: true });
      for (let i = 0; i < 7; i++)
        await writeImage(
          join(root, `k${label}`, `${i}.png`),
          rgb.map((v) => v + 3 * i),
          40,
          48 + i,
          false,
        );
    }
    const storage = join(dir, 'folder-storage');
    const store = new LocalStore(storage);
    const trainOn = async (trialId: string, dataset: string): Promise<TrainedResult> =>
      trainTinyTrial({
        store,
        storage,
        searchId: SEARCH,
        trialId,
        macro: { stem: 'cifar', cellsPerStage: 1, filters: 4, classes: 3 },
        recipe: { epochs: 1, batchSize: 8, imageSize: SIDE, valFraction: 0.3 },
        dataset,
        seed: 2,
        backend: await loadBackend('node', () => undefined),
      });
    const result = await trainOn(`${SEARCH}/1/0`, pathToFileURL(root).href);
    // round(7 * 0.3) = 2 images of each class are held out.
    assert.equal(result.trainSamples, 15);
    assert.equal(result.valSamples, 6);
    assert.ok(Number.isFinite(result.valAccuracy));

    await writeFile(join(root, 'k1', '9.png'), 'not a PNG');
    await assert.rejects(trainOn(`${SEARCH}/1/1`, root), (err: Error) => {
      assert.ok(isUnusableData(err), String(err));
      assert.match(err.message, new RegExp(`cannot decode ${join(root, 'k1', '9.png')}`));
      return true;
    });
  });

  void it('refuses unusable data and mismatched weights, naming the folder, file or flag', async () => {
    const fail = async (args: string[], pattern: RegExp): Promise<void> => {
      const run = await runCli(['zoo', 'evaluate', '--weights', weights, ...args], env);
      assert.notEqual(run.code, 0, `expected a failure for ${args.join(' ')}`);
      assert.match(run.stderr, pattern);
    };
    const missing = join(dir, 'no-such-folder');
    await fail(['--dataset', missing], new RegExp(`${missing}.*no such directory`));

    const empty = join(dir, 'empty-class');
    await writeImage(join(await mkdirp(join(empty, 'a')), 'x.png'), [1, 2, 3], 8, 8, false);
    await mkdir(join(empty, 'b'));
    await writeFile(join(empty, 'b', 'readme.txt'), 'no images');
    await fail(['--dataset', empty], /class folder "b" holds no \.jpg\/\.jpeg\/\.png images/);

    const broken = join(dir, 'broken');
    for (let c = 0; c < CLASSES; c++) await writeImage(join(await mkdirp(join(broken, `c${c}`)), 'ok.png'), [c * 30, 0, 0], 8, 8, false);
    await writeFile(join(broken, 'c3', 'bad.png'), 'this is not a PNG');
    await fail(['--dataset', broken], new RegExp(`cannot decode ${join(broken, 'c3', 'bad.png')} as JPEG or PNG`));

    const three = join(dir, 'three');
    for (const c of ['a', 'b', 'c']) await writeImage(join(await mkdirp(join(three, c)), 'x.png'), [9, 9, 9], 8, 8, false);
    await fail(['--dataset', three], /3 classes \(a, b, c\), but the model at --weights .* outputs 7/);

    const run = await runCli(['zoo', 'evaluate', 'mnasnet-a1', '--weights', weights, '--dataset', three], env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /are not mnasnet-a1's: input 8x8 \(mnasnet-a1 takes 224x224\), 7 classes \(mnasnet-a1 has 1000\), [\d,]+ trainable parameters/);

    // Real mnasnet-a1 weights pass the zoo check and stop at the dataset's class count instead.
    const zooWeights = join(dir, 'mnasnet-a1');
    const zoo = buildDef(tf, getModel('mnasnet-a1').def());
    await saveModelToDir(tf, zoo, zooWeights);
    zoo.dispose();
    const zooRun = await runCli(['zoo', 'evaluate', 'mnasnet-a1', '--weights', zooWeights, '--dataset', three], env);
    assert.notEqual(zooRun.code, 0);
    assert.doesNotMatch(zooRun.stderr, /are not mnasnet-a1's/);
    assert.match(zooRun.stderr, /3 classes \(a, b, c\), but the model at --weights .* outputs 1000/);

    const pureJs = await runCli(['zoo', 'evaluate', '--weights', weights, '--dataset', three], { ...env, NASFLOW_TF_BACKEND: 'cpu' });
    assert.notEqual(pureJs.code, 0);
    assert.match(pureJs.stderr, /image-folder datasets need the native tfjs-node backend to decode JPEG\/PNG .* the cpu backend loaded/);

    await fail(['--dataset', three, '--normalize', 'bogus'], /--normalize: expected one of trainer, imagenet, none, received "bogus"/);
    const noModel = await runCli(['zoo', 'evaluate', '--weights', dir, '--dataset', three], env);
    assert.match(noModel.stderr, /--weights .*: no model\.json there/);
  });
});

async function mkdirp(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  return path;
}
