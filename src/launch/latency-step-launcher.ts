/**
 * A trial whose spec sends latency measurement to a separate device pool (`latency.device: pool`)
 * runs in two steps: the trainer, then the latency step (`nasflow latency measure`) on the latency
 * launcher — a second local process, or a second Job with the resource's latency pod template. To
 * the search it is still one trial attempt: `poll` says running until both steps have ended, and
 * the attempt's exit is the trainer's when it failed, else the latency step's.
 *
 * Durable like every launcher: the latency step is launched from `poll` once the trainer's exit 0 is
 * on record, idempotently by the same (trialId, attempt), so a worker that restarts anywhere in
 * between re-attaches to whichever step is running. Trials without a latency pool pass straight
 * through to the trainer's launcher.
 */
import type { Launcher, TrialRef, TrialState } from './launcher.js';
import { LauncherBusyError } from './local-launcher.js';

export class LatencyStepLauncher implements Launcher {
  readonly host?: string;

  constructor(
    private readonly trainer: Launcher,
    private readonly latency: Launcher,
  ) {
    if (trainer.host !== undefined) this.host = trainer.host;
  }

  launch(trial: TrialRef): Promise<void> {
    return this.trainer.launch(trial);
  }

  async poll(trial: TrialRef): Promise<TrialState> {
    const trained = await this.trainer.poll(trial);
    if (!usesLatencyPool(trial) || trained.state !== 'exited' || trained.exitCode !== 0) return trained;
    const measured = await this.latency.poll(trial);
    if (measured.state === 'missing') {
      try {
        await this.latency.launch(trial);
      } catch (err) {
        // The pool is full for now: the next poll tries again, like a trial waiting for a slot.
        if (!(err instanceof LauncherBusyError)) throw err;
      }
      return { state: 'running' };
    }
    if (measured.state === 'exited' && measured.exitCode !== 0) {
      return { ...measured, message: `latency step: ${measured.message ?? `exit ${measured.exitCode}`}` };
    }
    return measured;
  }

  async cancel(trial: TrialRef): Promise<void> {
    await this.trainer.cancel(trial);
    if (usesLatencyPool(trial)) await this.latency.cancel(trial);
  }

  async logs(trial: TrialRef, maxBytes: number): Promise<string | undefined> {
    const trained = await this.trainer.logs?.(trial, maxBytes);
    if (!usesLatencyPool(trial)) return trained;
    const measured = await this.latency.logs?.(trial, maxBytes);
    if (measured === undefined) return trained;
    const both = `${trained ?? ''}\n--- latency step ---\n${measured}`;
    return both.slice(Math.max(0, both.length - maxBytes));
  }

  async close(): Promise<void> {
    await this.trainer.close?.();
    await this.latency.close?.();
  }
}

function usesLatencyPool(trial: TrialRef): boolean {
  return trial.spec.latency?.device === 'pool';
}
