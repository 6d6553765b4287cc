/**
 * nasflow beside PyTorch (and Keras) on one CPU, not part of CI (the peers install several GB):
 *   - training the CIFAR-10 NASNet-A search child (N=2, F=16, 32x32) at batch 32 and 64: nasflow's
 *     trainer loop with data (src/trainer/loop.ts, augmented batches from a synthetic CIFAR-10
 *     split) against a PyTorch training loop on a fixed random batch, SGD-momentum, label smoothing
 *     and gradient clipping as the recipe says;
 *   - NASNet-A Mobile inference at batch 1 and 32: nasflow's tfjs model against PyTorch eager
 *     (inference mode) and Keras NASNetMobile under tf.function (graph mode).
 * The PyTorch network is rebuilt op for op from nasflow's own network description
 * (bench/net-graph.ts -> bench/torch_net.py), Glorot-uniform initialised as tfjs does.
 * Threads: 2 everywhere; OMP_WAIT_POLICY=PASSIVE so PyTorch's OpenMP threads sleep instead of
 * spin-waiting on a shared machine. The peers come pinned from scripts/weights-fixtures/requirements.txt
 * (torch 2.15.0, tensorflow-cpu 2.21.0, keras 3.15.1) into the venv that script uses
 * ($NASFLOW_WEIGHTS_VENV, default ~/.cache/nasflow/weights-venv; PyPI's torch wheel is the CUDA
 * build and pulls about 3 GB of nvidia-* wheels). Writes `trainer-vs-pytorch` in BENCHMARKS.md.
 *
 * Usage: node dist/bench/pytorch-side-by-side.bench.js [--steps 4] [--runs 3] [--batches 32,64] [--no-keras] [--no-write]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as tfc from '@tensorflow/tfjs';
import { buildDef, costOfDef, defaultBn, networkDef } from '../src/models/build.js';
import { getModel } from '../src/models/zoo.js';
import { NASNET_A } from '../src/space/index.js';
import { loadBackend } from '../src/trainer/backend.js';
import { sliceSet } from '../src/trainer/cifar-format.js';
import { defaultModelFactory } from '../src/trainer/factories.js';
import { trainLoop } from '../src/trainer/loop.js';
import { synthesize } from '../src/trainer/synth.js';
import { LocalStore } from '../src/store/local-store.js';
import type { TF } from '../src/trainer/backend.js';
import { cifarChildSpec } from './cifar-child.js';
import { cellNetworkGraph } from './net-graph.js';
import { machineLine, table, writeSection } from './report.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const THREADS = 2;

interface TorchTrain {
  format: string;
  batch: number;
  imagesPerSecond: number;
  imagesPerCpuSecond: number;
}
interface Infer {
  format?: string;
  batch: number;
  msPerBatch: number;
  cpuMsPerBatch: number;
}

/** The pinned peer venv (created and filled on first use); returns its python. */
function peerPython(): string {
  const venv = process.env.NASFLOW_WEIGHTS_VENV ?? join(homedir(), '.cache', 'nasflow', 'weights-venv');
  const python = join(venv, 'bin', 'python');
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  };
  if (!existsSync(python)) run('python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), ['install', '-q', '-r', join(REPO, 'scripts', 'weights-fixtures', 'requirements.txt')]);
  return python;
}

function runPython(python: string, args: string[]): unknown {
  const env = { ...process.env, OMP_NUM_THREADS: String(THREADS), MKL_NUM_THREADS: String(THREADS), OMP_WAIT_POLICY: 'PASSIVE', TF_CPP_MIN_LOG_LEVEL: '2' };
  const r = spawnSync(python, args, { env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${python} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last);
}

/** The twin must be the same network: its trainable parameters equal nasflow's count (BN gamma and beta included). */
function sameParams(what: string, ours: number, torch: number): void {
  if (ours !== torch)
    throw new Error(`${what}: the PyTorch twin has ${torch} parameters, nasflow's network ${ours}; bench/torch_net.py no longer rebuilds it faithfully`);
  console.log(`${what}: ${ours} parameters in both`);
}

/** nasflow's trainer loop with data: images/s of its steps (each including the wait for its batch). */
async function nasflowTrain(tf: TF, batch: number, steps: number, dir: string): Promise<number> {
  const spec = cifarChildSpec(batch);
  const { train } = synthesize({ classes: 10, train: batch * (steps + 1) + 32, test: 0, seed: 1 });
  const built = await defaultModelFactory(tf, spec, { height: 32, width: 32, channels: 3 });
  try {
    // A one-step warm-up run (first-call kernel set-up), then the timed run on the same model.
    const loop = async (n: number, name: string) =>
      trainLoop({
        tf,
        built,
        spec,
        data: { train: sliceSet(train, 0, batch * n), val: sliceSet(train, train.count - 32, train.count) },
        out: new LocalStore(join(dir, name)),
        shouldStop: () => false,
        now: () => performance.now(),
        log: () => undefined,
      });
    await loop(1, `warm-${batch}`);
    const out = await loop(steps, `timed-${batch}`);
    return out.images / out.seconds;
  } finally {
    built.model.dispose();
  }
}

function nasflowInfer(tf: TF, batches: number[], runs: number): Infer[] {
  const model = buildDef(tf, getModel('nasnet-a-mobile').def());
  try {
    return batches.map((batch) => {
      const x = tf.randomNormal([batch, 224, 224, 3]);
      const once = () => tf.tidy(() => (model.predict(x) as tfc.Tensor).dataSync());
      once();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) once();
      const cpu = process.cpuUsage(c0);
      x.dispose();
      return { batch, msPerBatch: (performance.now() - t0) / runs, cpuMsPerBatch: (cpu.user + cpu.system) / 1000 / runs };
    });
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '4' },
      runs: { type: 'string', default: '3' },
      batches: { type: 'string', default: '32,64' },
      'no-keras': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const runs = Number(values.runs);
  const batches = values.batches.split(',').map(Number);
  const loadBefore = loadavg();
  const python = peerPython();
  const { tf, backend, pkg } = await loadBackend(undefined, (m) => console.error(m));
  const dir = await mkdtemp(join(tmpdir(), 'nasflow-vs-pytorch-'));
  const lines: string[] = [];
  const trainRows: string[][] = [];
  const inferRows: string[][] = [];
  let torchVersion = '';
  try {
    // Training: the CIFAR child.
    const child = networkDef('nasnet', NASNET_A, {});
    const r = cifarChildSpec(32).recipe;
    const recipe = { ...r.optimizer, labelSmoothing: r.labelSmoothing, auxWeight: r.auxWeight, gradClipNorm: r.gradClipNorm };
    if (recipe.type !== 'sgd-momentum') throw new Error(`recipe.optimizer: the PyTorch loop implements sgd-momentum, received ${recipe.type}`);
    const trainReq = join(dir, 'train.json');
    await writeFile(
      trainReq,
      JSON.stringify({
        graph: cellNetworkGraph(child),
        bn: defaultBn(child),
        recipe,
        threads: THREADS,
        formats: ['nchw', 'channels_last'],
        train: batches.map((batch) => ({ batch, steps })),
      }),
    );
    const torchTrain = runPython(python, [join(REPO, 'bench', 'torch_net.py'), trainReq]) as { torch: string; params: number; train: TorchTrain[] };
    torchVersion = torchTrain.torch;
    sameParams('CIFAR child', costOfDef(child).params, torchTrain.params);
    for (const batch of batches) {
      const ours = await nasflowTrain(tf, batch, steps, dir);
      for (const t of torchTrain.train.filter((t) => t.batch === batch)) {
        const ratio = `${(ours / t.imagesPerSecond).toFixed(2)}x PyTorch`;
        trainRows.push([String(batch), ours.toFixed(2), `${t.format}`, t.imagesPerSecond.toFixed(2), ratio]);
        lines.push(`train CIFAR child, batch ${batch}: nasflow ${ours.toFixed(2)} img/s, PyTorch ${t.format} ${t.imagesPerSecond.toFixed(2)} img/s: ${ratio}`);
        console.log(lines.at(-1));
      }
    }
    // Inference: NASNet-A Mobile.
    const mobile = getModel('nasnet-a-mobile').def();
    const inferBatches = [1, 32];
    const inferReq = join(dir, 'infer.json');
    await writeFile(
      inferReq,
      JSON.stringify({
        graph: cellNetworkGraph(mobile),
        bn: defaultBn(mobile),
        threads: THREADS,
        formats: ['nchw', 'channels_last'],
        infer: inferBatches.map((batch) => ({ batch, runs })),
      }),
    );
    const torchMobile = runPython(python, [join(REPO, 'bench', 'torch_net.py'), inferReq]) as { params: number; infer: Infer[] };
    sameParams('NASNet-A Mobile', costOfDef(mobile).params, torchMobile.params);
    const torchInfer = torchMobile.infer;
    let keras: { tensorflow: string; infer: Infer[] } | undefined;
    if (!values['no-keras'])
      keras = runPython(python, [join(REPO, 'bench', 'keras_nasnet_mobile.py'), String(THREADS), String(runs), ...inferBatches.map(String)]) as typeof keras;
    const ours = nasflowInfer(tf, inferBatches, runs);
    for (const o of ours) {
      const peers = [
        ...torchInfer.filter((t) => t.batch === o.batch).map((t) => ({ name: `PyTorch ${t.format ?? ''} (eager, inference mode)`, ms: t.msPerBatch })),
        ...(keras?.infer.filter((k) => k.batch === o.batch).map((k) => ({ name: 'Keras NASNetMobile (tf.function)', ms: k.msPerBatch })) ?? []),
      ];
      for (const p of peers) {
        const ratio = `${(p.ms / o.msPerBatch).toFixed(2)}x ${p.name.startsWith('Keras') ? 'Keras' : 'PyTorch'}`;
        inferRows.push([String(o.batch), o.msPerBatch.toFixed(1), p.name, p.ms.toFixed(1), ratio]);
        lines.push(`NASNet-A Mobile inference, batch ${o.batch}: nasflow ${o.msPerBatch.toFixed(1)} ms, ${p.name} ${p.ms.toFixed(1)} ms: ${ratio}`);
        console.log(lines.at(-1));
      }
    }
    if (keras) torchVersion += `, TensorFlow ${keras.tensorflow}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const fmt = (l: number[]) => l.map((v) => v.toFixed(2)).join(', ');
  const md = [
    '## nasflow beside PyTorch: CIFAR child training, NASNet-A Mobile inference',
    '',
    `Measured by \`node dist/bench/pytorch-side-by-side.bench.js --steps ${steps} --runs ${runs}\` on ${machineLine()}; nasflow on ${backend} (${pkg}),`,
    `peers torch ${torchVersion} from the pinned venv of scripts/weights-fixtures; ${THREADS} threads each, OMP_WAIT_POLICY=PASSIVE.`,
    `Load average (1, 5, 15 min) before: ${fmt(loadBefore)}; after: ${fmt(loadavg())} on ${navigator.hardwareConcurrency} cores.`,
    'nasflow trains through its trainer loop with data (augmented batches from a synthetic CIFAR-10 split, built by the batch worker);',
    "PyTorch trains its twin of the same network (rebuilt op for op from nasflow's description, bench/torch_net.py) on one fixed batch.",
    `Training: ${steps} timed steps after a warm-up step. Inference: ${runs} timed runs after one warm-up, output read back.`,
    '"x PyTorch" is nasflow\'s speed over the peer\'s (above 1: nasflow faster). Figures taken beside other work: re-measure on a quiet machine.',
    '',
    table(['batch', 'nasflow train images/s', 'PyTorch layout', 'PyTorch images/s', 'nasflow vs PyTorch'], trainRows),
    '',
    table(['batch', 'nasflow ms/batch', 'peer', 'peer ms/batch', 'nasflow vs peer'], inferRows),
  ].join('\n');
  console.log(`\n${md}`);
  if (!values['no-write']) writeSection('trainer-vs-pytorch', md);
}

await main();
