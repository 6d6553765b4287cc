/**
 * `nasflow doctor --gpu`: the first thing to run on a GPU node. Reports the NVIDIA devices the
 * container sees, which TensorFlow build loaded and whether it uses a GPU, then trains the probe
 * net (src/trainer/backend/probe-net.ts, NASNet's kernels) for a few steps and reports images/s
 * and whether the loss went down. On a machine without a GPU it says so plainly and fails.
 */
import { Rng } from '../common/rng.js';
import { buildProbeNet, probeBatch } from '../trainer/backend/probe-net.js';
import type { LoadedBackend } from '../trainer/backend.js';
import { decideDevice, describeDevice, type Device, type GpuFacts } from '../trainer/device.js';

export interface GpuCheck {
  /** NVIDIA device nodes and models the container sees. */
  visible: GpuFacts;
  backend: { name: string; package: string; flavour?: string; usingGpu: boolean };
  device: Device;
  /** Probe-net training: steps, batch, throughput and the loss before and after. */
  training: { steps: number; batch: number; imagesPerSecond: number; firstLoss: number; lastLoss: number };
  ok: boolean;
  /** What to do when not ok. */
  advice?: string;
}

export async function checkGpu(loaded: LoadedBackend, visible: GpuFacts, o: { steps: number; batch: number; now(): number }): Promise<GpuCheck> {
  const device = decideDevice(visible, { backend: loaded.backend, usingGpu: loaded.usingGpu, flavour: loaded.flavour });
  const { tf } = loaded;
  const model = buildProbeNet(tf, { seed: 1 });
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
  const { x, y } = probeBatch(tf, Rng.seeded(1), { examples: o.batch });
  try {
    // The first step pays for kernel selection and (GPU) weight transfer: not timed.
    const firstLoss = Number(await model.trainOnBatch(x, y));
    let lastLoss = firstLoss;
    const started = o.now();
    for (let i = 0; i < o.steps; i++) lastLoss = Number(await model.trainOnBatch(x, y));
    const seconds = (o.now() - started) / 1000;
    const ok = device.kind === 'gpu' && Number.isFinite(lastLoss) && lastLoss < firstLoss;
    return {
      visible,
      backend: { name: loaded.backend, package: loaded.pkg, ...(loaded.flavour ? { flavour: loaded.flavour } : {}), usingGpu: loaded.usingGpu },
      device,
      training: { steps: o.steps, batch: o.batch, imagesPerSecond: seconds > 0 ? (o.steps * o.batch) / seconds : 0, firstLoss, lastLoss },
      ok,
      ...(ok ? {} : { advice: adviceFor(device, lastLoss, firstLoss) }),
    };
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

function adviceFor(d: Device, last: number, first: number): string {
  if (d.kind === 'cpu')
    return `NO GPU: training ran on the CPU (${d.reason}). See docs/gpu.md: GPU image, NVIDIA driver >= 525 on the node, nvidia.com/gpu in the pod's resources.`;
  return `the GPU trained but the loss did not go down (${first.toFixed(4)} -> ${last.toFixed(4)}): the GPU arithmetic is suspect; report this with the output above`;
}

export function formatGpuCheck(c: GpuCheck): string {
  const v = c.visible;
  const lines = [
    `NVIDIA devices visible: ${v.minors.length === 0 ? 'none' : v.minors.map((m) => `/dev/nvidia${m} (${v.models[m] ?? 'model unknown'})`).join(', ')}${v.driver ? `; driver ${v.driver}` : ''}`,
    `TensorFlow.js backend: ${c.backend.name} (${c.backend.package}${c.backend.flavour ? `, ${c.backend.flavour} build` : ''}); TensorFlow lists a GPU: ${c.backend.usingGpu ? 'yes' : 'no'}`,
    describeDevice(c.device),
    `probe net: ${c.training.steps} training steps of ${c.training.batch} images at 32x32: ${c.training.imagesPerSecond.toFixed(1)} images/s; loss ${c.training.firstLoss.toFixed(4)} -> ${c.training.lastLoss.toFixed(4)}`,
    c.ok ? 'GPU check passed' : `GPU check FAILED: ${c.advice}`,
  ];
  return lines.join('\n');
}
