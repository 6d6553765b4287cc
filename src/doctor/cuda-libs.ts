/**
 * `nasflow doctor --cuda-libs`: checks, without a GPU, that the GPU image's TensorFlow can load
 * every CUDA library it asks for. TensorFlow 2.21 dlopens CUDA and cuDNN by soname at start-up,
 * searching its own RUNPATH ($ORIGIN/../nvidia/<pkg>/lib, where the provisioning script unpacks
 * the nvidia-*-cu12 wheels). For each soname this finds the file there and dlopens it (with its
 * own dependencies) in this process; the TensorFlow libraries themselves are dlopened too. Only
 * libcuda.so.1 is expected to be missing: the node's driver provides it (the NVIDIA container
 * runtime mounts it into GPU pods).
 */
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

/** Sonames TensorFlow 2.21's CUDA build loads at run time (tsl/platform/default/dso_loader.cc), by wheel folder. */
export const CUDA_SONAMES: readonly { soname: string; wheelDir: string }[] = [
  { soname: 'libcudart.so.12', wheelDir: 'cuda_runtime' },
  { soname: 'libcublas.so.12', wheelDir: 'cublas' },
  { soname: 'libcublasLt.so.12', wheelDir: 'cublas' },
  { soname: 'libcufft.so.11', wheelDir: 'cufft' },
  { soname: 'libcusolver.so.11', wheelDir: 'cusolver' },
  { soname: 'libcusparse.so.12', wheelDir: 'cusparse' },
  { soname: 'libcurand.so.10', wheelDir: 'curand' },
  { soname: 'libcupti.so.12', wheelDir: 'cuda_cupti' },
  { soname: 'libcudnn.so.9', wheelDir: 'cudnn' },
  { soname: 'libnccl.so.2', wheelDir: 'nccl' },
  { soname: 'libnvJitLink.so.12', wheelDir: 'nvjitlink' },
  { soname: 'libnvrtc.so.12', wheelDir: 'cuda_nvrtc' },
];

export interface LibResult {
  name: string;
  path?: string;
  ok: boolean;
  problem?: string;
}

export interface CudaLibsCheck {
  deps: string;
  results: LibResult[];
  ok: boolean;
}

/** dlopen(3) through Node: a plain library loads, then fails only as "not a Node addon". */
export function dlopenProblem(path: string): string | undefined {
  try {
    process.dlopen({ exports: {} }, path, constants.dlopen.RTLD_LAZY);
    return undefined;
  } catch (err) {
    const message = (err as Error).message;
    return /did not self-register|Module did not self-register|napi_register_module|No such module/i.test(message) ? undefined : message.split('\n')[0];
  }
}

/** `deps`: the tfjs-node `deps` folder of the native build (lib/ and nvidia/). */
export function checkCudaLibraries(deps: string, load: (path: string) => string | undefined = dlopenProblem): CudaLibsCheck {
  const results: LibResult[] = [];
  const nvidia = join(deps, 'nvidia');
  const cudnnFirst = [...CUDA_SONAMES].sort((a, b) => Number(b.wheelDir === 'cudnn') - Number(a.wheelDir === 'cudnn'));
  for (const { soname, wheelDir } of cudnnFirst) {
    const path = join(nvidia, wheelDir, 'lib', soname);
    if (!existsSync(path)) {
      results.push({ name: soname, ok: false, problem: `missing: expected ${path} (from the nvidia-${wheelDir.replace(/_/g, '-')}-cu12 wheel)` });
      continue;
    }
    const problem = load(path);
    results.push({ name: soname, path, ok: problem === undefined, ...(problem ? { problem } : {}) });
  }
  // cuDNN 9 loads its engines (libcudnn_*.so.9) lazily; each must resolve too.
  const cudnnLib = join(nvidia, 'cudnn', 'lib');
  for (const f of existsSync(cudnnLib)
    ? readdirSync(cudnnLib)
        .filter((n) => /^libcudnn_.*\.so\.9$/.test(n))
        .sort()
    : []) {
    const problem = load(join(cudnnLib, f));
    results.push({ name: f, path: join(cudnnLib, f), ok: problem === undefined, ...(problem ? { problem } : {}) });
  }
  for (const name of ['libtensorflow_framework.so.2', 'libtensorflow_cc.so.2']) {
    const path = join(deps, 'lib', name);
    const problem = existsSync(path) ? load(path) : `missing: ${path}`;
    results.push({ name, path, ok: problem === undefined, ...(problem ? { problem } : {}) });
  }
  return { deps, results, ok: results.every((r) => r.ok) };
}

export function formatCudaLibsCheck(c: CudaLibsCheck): string {
  return [
    `CUDA libraries of ${c.deps}:`,
    ...c.results.map((r) => `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.problem ? `: ${r.problem}` : ''}`),
    "  (libcuda.so.1 comes from the node's NVIDIA driver, mounted into GPU pods by the NVIDIA container runtime)",
    c.ok ? 'every CUDA library TensorFlow loads resolves' : 'CUDA library check FAILED',
  ].join('\n');
}
