/** `nasflow doctor`: checks of the machine a trainer runs on. */
import type { Command } from 'commander';
import { loadBackend } from '../trainer/backend.js';
import { readGpuFacts } from '../trainer/device.js';
import { checkGpu, formatGpuCheck } from '../doctor/gpu-check.js';
import { checkCudaLibraries, formatCudaLibsCheck } from '../doctor/cuda-libs.js';
import { defaultToolsDir, readNativeStatus } from '../trainer/backend/native-cache.js';
import { join } from 'node:path';

export function registerDoctorCommands(program: Command): void {
  program
    .command('doctor')
    .description('check this machine (or pod) for training')
    .option(
      '--gpu',
      'GPU check: visible NVIDIA devices, the TensorFlow build, a few probe-net training steps on the GPU and images/s; exits 1 without a usable GPU',
    )
    .option('--cuda-libs', 'without a GPU: check that every CUDA library the GPU build of TensorFlow loads is in the image and dlopens')
    .option('--steps <n>', 'timed training steps', (v) => positiveInt(v, '--steps'), 20)
    .option('--batch <n>', 'images per step', (v) => positiveInt(v, '--batch'), 64)
    .option('--json', 'print the result as JSON')
    .action(async (o: { gpu?: boolean; cudaLibs?: boolean; steps: number; batch: number; json?: boolean }) => {
      if (o.cudaLibs) {
        const status = readNativeStatus(defaultToolsDir(process.env));
        if (!status.ok || status.flavour !== 'gpu')
          throw new Error(
            `--cuda-libs needs the GPU build of the native backend (nasflow image build --gpu); found: ${status.ok ? `the ${status.flavour} build` : status.reason}`,
          );
        const result = checkCudaLibraries(join(status.module, 'deps'));
        console.log(o.json ? JSON.stringify(result) : formatCudaLibsCheck(result));
        process.exitCode = result.ok ? 0 : 1;
        return;
      }
      if (!o.gpu) throw new Error('nasflow doctor: name a check, --gpu or --cuda-libs');
      const loaded = await loadBackend(process.env.NASFLOW_TF_BACKEND, (m) => console.error(m));
      const result = await checkGpu(loaded, readGpuFacts(), { steps: o.steps, batch: o.batch, now: () => performance.now() });
      console.log(o.json ? JSON.stringify(result) : formatGpuCheck(result));
      process.exitCode = result.ok ? 0 : 1;
    });
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, received ${JSON.stringify(v)}`);
  return n;
}
