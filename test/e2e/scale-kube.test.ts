/**
 * The CI variant of the scale bench (issue 13): 2,000 trials on 50 kwok GPU nodes through the real
 * control path — kubectl-applied NeuralArchitectureSearch, `nasflow operator` and `nasflow worker
 * --launcher kubernetes` as processes, one GPU Job per trial, the bench's trial simulator writing
 * result.json to S3 — with the bench's faults (worker SIGKILL x3 and a rollout, the operator killed,
 * 5 % of the nodes deleted, 1 % of pods evicted). Simulated training times are short (3-6 s), so
 * the control path, not training, sets the pace.
 *
 * It asserts what must hold at any scale: the search succeeds with every trial counted once, none
 * lost, none trained twice, every history replays. Speed is the bench's business (BENCHMARKS.md).
 * Unlike test/workflows/scale.test.ts (2,000 table-answered trials in one worker, checking history
 * sizes), every trial here is a Job, a pod and an S3 round trip.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScale } from '../helpers/scale-run.js';

void describe('2,000 trials on 50 GPU nodes with faults (scale bench, CI size)', () => {
  // Skipped unless NASFLOW_SCALE_CI=1, for its cost: 545 s of wall time plus start-up and replay on
  // 2 cores (2026-11-30), which CI's 75-minute budget does not hold yet. The trials trained twice
  // that kept it off before (3 of 2,000, each two pods of one Job) were the simulated kubelet
  // writing Succeeded over the Failed phase an eviction or the pod GC had set, after the Job had
  // started a replacement; fixed in test/helpers/scale-simulator.ts, and the bench's CI-size run
  // since found 0 lost, 0 trained twice (BENCHMARKS.md bench:scale-ci). Issue 13 wants it in CI.
  const enabled = process.env.NASFLOW_SCALE_CI === '1';
  void it(
    'succeeds with nothing lost and nothing trained or counted twice',
    { skip: enabled ? false : 'about 10 minutes on 2 cores, beyond the CI budget (issue 13); set NASFLOW_SCALE_CI=1 to run it' },
    async () => {
      const r = await runScale({
        trials: 2000,
        nodes: 50,
        parallelism: 45,
        minSeconds: 3,
        maxSeconds: 6,
        faults: true,
        seed: 1,
        fastDisk: true,
        jobTtlSeconds: 120,
        replay: true,
        // About 12 minutes on this 2-core machine at load 18 (other sessions); under the runner's
        // 15-minute limit per test, so a stall fails with these figures rather than a timeout.
        limitSeconds: 13 * 60,
        keepDir: false,
        log: (line) => console.error(`scale: ${line}`),
      });
      const figures = JSON.stringify(
        { phase: r.phase, wall: r.wallSeconds, ideal: r.idealSeconds, trials: r.trials, history: r.history, faults: r.faults.length, planned: r.faultsPlanned },
        null,
        1,
      );
      console.error(`scale: ${figures}`);
      assert.equal(r.phase, 'Succeeded', figures);
      assert.equal(r.trials.lost, 0, figures);
      assert.equal(r.trials.duplicated, 0, figures);
      assert.equal(r.trials.succeeded, 2000, figures);
      assert.equal(r.trials.trained, 2000, figures);
      assert.equal(r.faults.length, r.faultsPlanned, `every planned fault happened: ${figures}`);
      assert.equal(r.history.nondeterminism, 0, figures);
      assert.equal(r.history.replayFailures, 0, figures);
      assert.equal(r.simulatorErrors, 0, figures);
    },
  );
});
