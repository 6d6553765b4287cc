/**
 * How a trial runs somewhere: the seam between the search activities and a runtime (local child
 * processes, table-backed benchmark answers, Kubernetes Jobs).
 *
 * MUST: `launch` is idempotent by (trialId, attempt): a second call for a trial attempt that was
 * already launched re-attaches and starts nothing. `poll` reports the attempt's state from durable
 * evidence (exit record, Job status), so a new worker process can re-attach after a crash.
 */
import type { SearchSpec } from '../api/search-spec.js';

export interface TrialRef {
  searchId: string;
  spec: SearchSpec;
  trialId: string;
  attempt: number;
  /** URI of the trial's spec.json; the trainer writes result.json next to it. */
  specUri: string;
}

export type TrialState =
  | { state: 'running' }
  | { state: 'exited'; exitCode: number; message?: string }
  /** Nothing is known of this attempt (never launched here, or its evidence was lost). */
  | { state: 'missing' };

export interface Launcher {
  launch(trial: TrialRef): Promise<void>;
  poll(trial: TrialRef): Promise<TrialState>;
  cancel(trial: TrialRef): Promise<void>;
  /**
   * The output of an attempt that has exited (its last `maxBytes` bytes), where the runtime keeps
   * it; the search copies it into the store next to the trial's result.
   */
  logs?(trial: TrialRef, maxBytes: number): Promise<string | undefined>;
  /**
   * The machine every attempt of this launcher runs on, when it is one (local processes); absent
   * where the runtime places each attempt (Kubernetes) or nothing runs (benchmark answers).
   */
  readonly host?: string;
  /** Releases what the launcher holds open (a watch), so the process can exit after its worker. */
  close?(): Promise<void>;
}
