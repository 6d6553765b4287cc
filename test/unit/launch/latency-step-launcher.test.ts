/**
 * The order of a trial's two steps (trainer, then latency step) as one attempt. Pure sequencing
 * logic over in-memory launchers; the real processes run in test/workflows/trainer-search.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyStepLauncher } from '../../../src/launch/latency-step-launcher.js';
import { LauncherBusyError } from '../../../src/launch/local-launcher.js';
import type { Launcher, TrialRef, TrialState } from '../../../src/launch/launcher.js';
import { parseSearchSpec } from '../../../src/api/search-spec.js';
import { makeSearch } from '../../helpers/search-builder.js';

class ScriptedLauncher implements Launcher {
  state: TrialState = { state: 'missing' };
  readonly calls: string[] = [];
  busy = false;
  constructor(private readonly name = 'step') {}
  async launch(t: TrialRef): Promise<void> {
    this.calls.push(`launch ${t.attempt}`);
    if (this.busy) throw new LauncherBusyError(1);
    this.state = { state: 'running' };
  }
  async poll(): Promise<TrialState> {
    return this.state;
  }
  async cancel(t: TrialRef): Promise<void> {
    this.calls.push(`cancel ${t.attempt}`);
  }
  async logs(): Promise<string> {
    return `${this.name} log`;
  }
}

function trial(device?: 'pool' | 'trainer'): TrialRef {
  const base = makeSearch('lat', '/tmp/s').set('space', 'mnasnet').set('evaluator', { type: 'train' }).set('dataset', '/tmp/d').budget({ maxTrials: 1 });
  const spec = parseSearchSpec((device ? base.set('latency', { device }) : base).obj());
  return { searchId: 'local/lat/1', spec, trialId: 'local/lat/1/0/0', attempt: 1, specUri: '/tmp/s/spec.json' };
}

void describe('LatencyStepLauncher', () => {
  void it('passes a trial without a latency pool straight through to the trainer', async () => {
    const trainer = new ScriptedLauncher();
    const latency = new ScriptedLauncher();
    const l = new LatencyStepLauncher(trainer, latency);
    await l.launch(trial('trainer'));
    trainer.state = { state: 'exited', exitCode: 0 };
    assert.deepEqual(await l.poll(trial('trainer')), { state: 'exited', exitCode: 0 });
    assert.deepEqual(latency.calls, []);
  });

  void it('starts the latency step only after the trainer exits 0, and ends the attempt with the step', async () => {
    const trainer = new ScriptedLauncher();
    const latency = new ScriptedLauncher();
    const l = new LatencyStepLauncher(trainer, latency);
    const t = trial('pool');
    await l.launch(t);
    assert.deepEqual(await l.poll(t), { state: 'running' });
    assert.deepEqual(latency.calls, [], 'no measurement while training');
    trainer.state = { state: 'exited', exitCode: 0 };
    assert.deepEqual(await l.poll(t), { state: 'running' }, 'trained, now measuring');
    assert.deepEqual(latency.calls, ['launch 1']);
    assert.deepEqual(await l.poll(t), { state: 'running' });
    assert.deepEqual(latency.calls, ['launch 1'], 'launched once');
    latency.state = { state: 'exited', exitCode: 0 };
    assert.deepEqual(await l.poll(t), { state: 'exited', exitCode: 0 });
  });

  void it("reports a failed training as the attempt's exit without measuring", async () => {
    const trainer = new ScriptedLauncher();
    const latency = new ScriptedLauncher();
    const l = new LatencyStepLauncher(trainer, latency);
    trainer.state = { state: 'exited', exitCode: 3, message: 'NaN loss' };
    assert.deepEqual(await l.poll(trial('pool')), { state: 'exited', exitCode: 3, message: 'NaN loss' });
    assert.deepEqual(latency.calls, []);
  });

  void it("names the latency step in a failed step's message, and waits while the pool is busy", async () => {
    const trainer = new ScriptedLauncher();
    const latency = new ScriptedLauncher();
    const l = new LatencyStepLauncher(trainer, latency);
    const t = trial('pool');
    trainer.state = { state: 'exited', exitCode: 0 };
    latency.busy = true;
    assert.deepEqual(await l.poll(t), { state: 'running' }, 'a full pool is waited for, not a failure');
    latency.busy = false;
    latency.state = { state: 'exited', exitCode: 1, message: 'out of memory' };
    assert.deepEqual(await l.poll(t), { state: 'exited', exitCode: 1, message: 'latency step: out of memory' });
  });

  void it('cancels both steps of a pool trial, and joins their logs', async () => {
    const trainer = new ScriptedLauncher('trainer');
    const latency = new ScriptedLauncher('latency');
    const l = new LatencyStepLauncher(trainer, latency);
    await l.cancel(trial('pool'));
    assert.deepEqual(trainer.calls, ['cancel 1']);
    assert.deepEqual(latency.calls, ['cancel 1']);
    assert.match((await l.logs(trial('pool'), 1000)) ?? '', /^trainer log\n--- latency step ---\nlatency log$/);
  });
});
