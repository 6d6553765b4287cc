/** `nasflow doctor`: checks of the machine a trainer runs on. */
import type { Command } from 'commander';
import { loadBackend } from '../trainer/backend.js';
import { readGpuFacts } from '../trainer/device.js';
import { checkGpu, formatGpuCheck } from '../doctor/gpu-check.js';

export function registerDoctorCommands(program: Command): void {
  program
    .command('doctor')
    .description('check this machine (or pod) for training')
    .option('--gpu', 'GPU check: visible NVIDIA devices, the TensorFlow build, a few probe-net training steps on the GPU and images/s; exits 1 without a usable GPU')
    .option('--steps <n>', 'timed training steps', (v) => positiveInt(v, '--steps'), 20)
    .option('--batch <n>', 'images per step', (v) => positiveInt(v, '--batch'), 64)
    .option('--json', 'print the result as JSON')
    .action(async (o: { gpu?: boolean; steps: number; batch: number; json?: boolean }) => {
      if (!o.gpu) throw new Error('nasflow doctor: name a check, e.g. --gpu');
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
