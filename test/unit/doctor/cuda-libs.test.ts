/** `nasflow doctor --cuda-libs`: each soname TensorFlow loads must be in the image and dlopen. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCudaLibraries, CUDA_SONAMES, dlopenProblem, formatCudaLibsCheck } from '../../../src/doctor/cuda-libs.js';
import { at } from '../../../src/common/indexing.js';

void describe('CUDA library check', () => {
  void it('dlopens a real shared library and reports one that cannot load', () => {
    assert.equal(dlopenProblem('/lib/x86_64-linux-gnu/libz.so.1'), undefined);
    assert.match(dlopenProblem('/nonexistent/libcudart.so.12') ?? '', /cannot open shared object file|No such file/);
  });

  void it('finds every soname in its wheel folder, loads cuDNN engines and the TF libraries; names what is missing', () => {
    const deps = mkdtempSync(join(tmpdir(), 'nasflow-cuda-'));
    try {
      for (const { soname, wheelDir } of CUDA_SONAMES.filter((s) => s.soname !== 'libnccl.so.2')) {
        mkdirSync(join(deps, 'nvidia', wheelDir, 'lib'), { recursive: true });
        writeFileSync(join(deps, 'nvidia', wheelDir, 'lib', soname), '');
      }
      writeFileSync(join(deps, 'nvidia', 'cudnn', 'lib', 'libcudnn_engines_precompiled.so.9'), '');
      mkdirSync(join(deps, 'lib'));
      for (const n of ['libtensorflow_framework.so.2', 'libtensorflow_cc.so.2']) writeFileSync(join(deps, 'lib', n), '');
      const loaded: string[] = [];
      const c = checkCudaLibraries(deps, (p) => {
        loaded.push(p);
        return p.endsWith('libcufft.so.11') ? 'libcufft.so.11: undefined symbol x' : undefined;
      });
      assert.equal(c.ok, false);
      const failed = c.results.filter((r) => !r.ok).map((r) => [r.name, r.problem]);
      assert.deepEqual(
        failed.map(([n]) => n),
        ['libcufft.so.11', 'libnccl.so.2'],
      );
      assert.match(String(at(failed, 1)[1]), /missing: expected .*nvidia\/nccl\/lib\/libnccl\.so\.2 \(from the nvidia-nccl-cu12 wheel\)/);
      assert.ok(at(loaded, 0).endsWith('libcudnn.so.9'), 'cuDNN first');
      assert.ok(loaded.some((p) => p.endsWith('libcudnn_engines_precompiled.so.9')));
      assert.ok(loaded.at(-1)!.endsWith('libtensorflow_cc.so.2'));
      assert.match(formatCudaLibsCheck(c), /FAIL libnccl\.so\.2.*\n[\s\S]*CUDA library check FAILED/);
    } finally {
      rmSync(deps, { recursive: true, force: true });
    }
  });
});
