/**
 * The trainer's error classes and the exit code each maps to (the codes and what they mean:
 * src/api/exit-codes.ts).
 */
import { EXIT_BAD_INPUT, EXIT_NUMERICAL, EXIT_PREEMPTED, EXIT_RETRYABLE } from '../api/exit-codes.js';

/** The spec is invalid or names something that does not exist. `field` is a JSON path or a URI. */
export class BadSpecError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'BadSpecError';
  }
}

/** The dataset at `uri` cannot be trained on (missing, truncated, wrong labels). */
export class UnusableDataError extends Error {
  constructor(
    readonly uri: string,
    problem: string,
  ) {
    super(`dataset ${uri}: ${problem}`);
    this.name = 'UnusableDataError';
  }
}

/** The trial requires a GPU (its pod asked for one) and none is usable: exit 2, never retried on the same setup. */
export class GpuRequiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuRequiredError';
  }
}

/** The loss became NaN or infinite. */
export class NumericalError extends Error {
  constructor(
    readonly step: number,
    readonly value: number,
  ) {
    super(`loss is ${value} at step ${step}; lower the learning rate or enable gradient clipping`);
    this.name = 'NumericalError';
  }
}

/** Training stopped on request (SIGTERM) after checkpointing at `step`. */
export class PreemptedError extends Error {
  constructor(readonly step: number) {
    super(`preempted: checkpoint written at step ${step}`);
    this.name = 'PreemptedError';
  }
}

export const isBadSpec = (e: unknown): e is BadSpecError => e instanceof BadSpecError;
export const isUnusableData = (e: unknown): e is UnusableDataError => e instanceof UnusableDataError;
export const isGpuRequired = (e: unknown): e is GpuRequiredError => e instanceof GpuRequiredError;
export const isNumerical = (e: unknown): e is NumericalError => e instanceof NumericalError;
export const isPreempted = (e: unknown): e is PreemptedError => e instanceof PreemptedError;

/** The exit code for an error that ended a trial (see the table above). */
export function exitCodeFor(err: unknown): number {
  if (isBadSpec(err) || isUnusableData(err) || isGpuRequired(err)) return EXIT_BAD_INPUT;
  // Errors from other modules are classified by name so that no import cycle is needed.
  const name = err instanceof Error ? err.name : '';
  if (name === 'GenotypeError' || name === 'InvalidUriError' || name === 'InvalidKeyError') return EXIT_BAD_INPUT;
  if (isNumerical(err)) return EXIT_NUMERICAL;
  if (isPreempted(err)) return EXIT_PREEMPTED;
  return EXIT_RETRYABLE;
}
