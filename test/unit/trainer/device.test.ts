/** The device a trial trains on: reading what the container sees, and deciding (pure). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideDevice, describeDevice, gpuRequiredMessage, readGpuFacts, type BackendFacts, type GpuFacts } from '../../../src/trainer/device.js';
import { exitCodeFor, GpuRequiredError } from '../../../src/trainer/errors.js';

const NONE: GpuFacts = { minors: [], models: {} };
const TWO_H100: GpuFacts = { minors: [0, 1], models: { 0: 'NVIDIA H100 80GB HBM3', 1: 'NVIDIA H100 80GB HBM3' }, driver: '550.54.15' };
const NATIVE_GPU: BackendFacts = { backend: 'tensorflow', usingGpu: true, flavour: 'gpu' };

void describe('decideDevice', () => {
  const cases: [string, GpuFacts, BackendFacts, RegExp][] = [
    [
      'GPU build, TensorFlow lists a GPU: the models and count',
      TWO_H100,
      NATIVE_GPU,
      /^device: 2 GPU\(s\): NVIDIA H100 80GB HBM3, NVIDIA H100 80GB HBM3 \(driver 550\.54\.15\)$/,
    ],
    ['pure JS: CPU, says the native backend did not load', NONE, { backend: 'cpu', usingGpu: false }, /CPU \(no NVIDIA GPU is visible .*pure-JS cpu backend/],
    [
      'CPU build with a GPU visible: CPU, names the GPU image',
      TWO_H100,
      { backend: 'tensorflow', usingGpu: false, flavour: 'cpu' },
      /CPU \(2 NVIDIA GPU\(s\) visible; the native backend is the CPU build/,
    ],
    ['GPU build, no device: CPU, no GPU visible', NONE, { backend: 'tensorflow', usingGpu: false, flavour: 'gpu' }, /CPU \(no NVIDIA GPU is visible/],
    [
      'GPU build, device visible, TensorFlow found none: driver or CUDA libraries',
      TWO_H100,
      { backend: 'tensorflow', usingGpu: false, flavour: 'gpu' },
      /TensorFlow found no usable GPU/,
    ],
  ];
  for (const [title, gpus, backend, want] of cases) {
    void it(title, () => assert.match(describeDevice(decideDevice(gpus, backend)), want));
  }

  void it('a GPU without a readable model is still counted', () => {
    assert.deepEqual(decideDevice({ minors: [3], models: {} }, NATIVE_GPU), { kind: 'gpu', count: 1, models: ['unknown NVIDIA GPU'] });
  });

  void it('a missing required GPU exits 2 with a message that says how to fix it', () => {
    const d = decideDevice(NONE, { backend: 'tensorflow', usingGpu: false, flavour: 'cpu' });
    assert.equal(d.kind, 'cpu');
    const err = new GpuRequiredError(gpuRequiredMessage(d as typeof d & { kind: 'cpu' }));
    assert.equal(exitCodeFor(err), 2);
    assert.match(err.message, /requires a GPU .*nvidia\.com\/gpu.*nasflow image build --gpu.*nasflow doctor --gpu.*requireGpu: false/);
  });
});

void describe('readGpuFacts', () => {
  void it('reads device nodes, models by minor number and the driver version from a root folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'nasflow-device-'));
    try {
      mkdirSync(join(root, 'dev'));
      for (const n of ['nvidia0', 'nvidia1', 'nvidiactl', 'nvidia-uvm', 'null']) writeFileSync(join(root, 'dev', n), '');
      for (const [bus, minor, model] of [
        ['0000:1b:00.0', 1, 'NVIDIA H100 80GB HBM3'],
        ['0000:0a:00.0', 0, 'NVIDIA A100-SXM4-40GB'],
      ] as const) {
        mkdirSync(join(root, 'proc/driver/nvidia/gpus', bus), { recursive: true });
        writeFileSync(join(root, 'proc/driver/nvidia/gpus', bus, 'information'), `Model: \t\t ${model}\nIRQ:   12\nDevice Minor: \t ${minor}\n`);
      }
      writeFileSync(join(root, 'proc/driver/nvidia/version'), 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n');
      assert.deepEqual(readGpuFacts(undefined, root), {
        minors: [0, 1],
        models: { 0: 'NVIDIA A100-SXM4-40GB', 1: 'NVIDIA H100 80GB HBM3' },
        driver: '550.54.15',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  void it('reads an empty root as no GPU', () => {
    const root = mkdtempSync(join(tmpdir(), 'nasflow-device-'));
    try {
      assert.deepEqual(readGpuFacts(undefined, root), NONE);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
