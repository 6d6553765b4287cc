/**
 * Which device a trial trains on, as recorded in result.json (`device`) and the trainer's log, and
 * the GPU requirement: a trial whose pod asked for a GPU must not quietly train on the CPU for days.
 *
 * Facts come from two places: what the container was given (NVIDIA device nodes `/dev/nvidia<N>`,
 * which the device plugin mounts one per allocated GPU, and the driver's
 * `/proc/driver/nvidia/gpus/<bus>/information` for each one's model) and what TensorFlow made of
 * it (tfjs-node's `isUsingGpuDevice`: TensorFlow listed a GPU device, so CUDA and cuDNN loaded).
 * {@link decideDevice} is pure; {@link readGpuFacts} does the reading.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '../api/trial-result.js';

export type { Device };

/** What the container can see of NVIDIA GPUs. */
export interface GpuFacts {
  /** Minor numbers of `/dev/nvidia<N>` device nodes. */
  minors: number[];
  /** Model by minor number, from the driver's procfs (absent when /proc/driver/nvidia is not there). */
  models: Record<number, string>;
  driver?: string;
}

/** What the loaded TensorFlow.js backend reports. */
export interface BackendFacts {
  /** `tf.getBackend()`. */
  backend: string;
  /** tfjs-node's flag: TensorFlow listed a GPU device. */
  usingGpu: boolean;
  /** Flavour of the native build (`cpu` or `gpu`), when native. */
  flavour?: string;
}

export function decideDevice(gpus: GpuFacts, b: BackendFacts): Device {
  const visible = gpus.minors.length;
  if (b.backend === 'tensorflow' && b.usingGpu) {
    const models = gpus.minors.map((m) => gpus.models[m] ?? 'unknown NVIDIA GPU');
    return { kind: 'gpu', count: Math.max(visible, 1), models, ...(gpus.driver ? { driver: gpus.driver } : {}) };
  }
  const seen = visible === 0 ? 'no NVIDIA GPU is visible (no /dev/nvidia<N> device)' : `${visible} NVIDIA GPU(s) visible`;
  if (b.backend !== 'tensorflow') return { kind: 'cpu', reason: `${seen}; the pure-JS ${b.backend} backend is in use (the native backend did not load)` };
  if (b.flavour !== 'gpu') return { kind: 'cpu', reason: `${seen}; the native backend is the CPU build (tensorflow-cpu); the GPU image has the CUDA build` };
  if (visible === 0) return { kind: 'cpu', reason: seen };
  return {
    kind: 'cpu',
    reason: `${seen} but TensorFlow found no usable GPU (driver too old or CUDA libraries failed to load; see TensorFlow's log above and docs/gpu.md)`,
  };
}

/** One line for the log. */
export function describeDevice(d: Device): string {
  if (d.kind === 'gpu') return `device: ${d.count} GPU(s): ${d.models.join(', ')}${d.driver ? ` (driver ${d.driver})` : ''}`;
  return `device: CPU (${d.reason})`;
}

/** The message a trial that requires a GPU exits with when it has none. */
export function gpuRequiredMessage(d: Device & { kind: 'cpu' }): string {
  return (
    `this trial requires a GPU (its pod requests nvidia.com/gpu; NASFLOW_REQUIRE_GPU=1) but would train on the CPU: ${d.reason}. ` +
    'Run the GPU image (nasflow image build --gpu) on a node with the NVIDIA driver and device plugin, check it with "nasflow doctor --gpu", ' +
    "or set requireGpu: false in the worker's trial defaults to allow CPU training"
  );
}

export interface FsReader {
  readDir(path: string): string[];
  readFile(path: string): string;
}

const nodeFs: FsReader = {
  readDir: (p) => readdirSync(p),
  readFile: (p) => readFileSync(p, 'utf8'),
};

/** Reads /dev and /proc/driver/nvidia; missing folders read as "no GPU". */
export function readGpuFacts(fs: FsReader = nodeFs, root = '/'): GpuFacts {
  const list = (p: string) => {
    try {
      return fs.readDir(join(root, p));
    } catch {
      return [];
    }
  };
  const minors = list('dev')
    .map((n) => /^nvidia(\d+)$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const models: Record<number, string> = {};
  for (const bus of list('proc/driver/nvidia/gpus')) {
    try {
      const info = parseInfo(fs.readFile(join(root, 'proc/driver/nvidia/gpus', bus, 'information')));
      const minor = Number(info['Device Minor']);
      if (info.Model && Number.isInteger(minor)) models[minor] = info.Model;
    } catch {
      // A GPU whose information file cannot be read keeps the generic model name.
    }
  }
  let driver: string | undefined;
  try {
    driver = /Kernel Module\s+([\d.]+)/.exec(fs.readFile(join(root, 'proc/driver/nvidia/version')))?.[1];
  } catch {
    driver = undefined;
  }
  return { minors, models, ...(driver ? { driver } : {}) };
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}
