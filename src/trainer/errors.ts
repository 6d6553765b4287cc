/**
 * Trainer exit codes and the error classes that map to them. The launcher (Kubernetes Job pod
 * failure policy, local process runner) classifies a trial by its exit code alone:
 *
 * | code | meaning | retried? | counts against maxFailedTrials? |
 * |---|---|---|---|
 * | 0  | success; result.json written | - | - |
 * | 2  | bad spec or unusable dataset (message names the field or URI) | never | yes |
 * | 3  | numerical failure (NaN/Inf loss) | never | yes |
 * | 75 | preempted (SIGTERM); a checkpoint was written first (EX_TEMPFAIL) | yes, resumes | no |
 * | other (1, 137, ...) | crash, OOM-kill, S3 outage | yes, from the last checkpoint | no, up to the retry limit |
 */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;
export const EXIT_NUMERICAL = 3;
export const EXIT_PREEMPTED = 75;
export const EXIT_RETRYABLE = 1;

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
export const isNumerical = (e: unknown): e is NumericalError => e instanceof NumericalError;
export const isPreempted = (e: unknown): e is PreemptedError => e instanceof PreemptedError;

/** The exit code for an error that ended a trial (see the table above). */
export function exitCodeFor(err: unknown): number {
  if (isBadSpec(err) || isUnusableData(err)) return EXIT_BAD_INPUT;
  // Errors from other modules are classified by name so that no import cycle is needed.
  const name = err instanceof Error ? err.name : '';
  if (name === 'GenotypeError' || name === 'InvalidUriError' || name === 'InvalidKeyError') return EXIT_BAD_INPUT;
  if (isNumerical(err)) return EXIT_NUMERICAL;
  if (isPreempted(err)) return EXIT_PREEMPTED;
  return EXIT_RETRYABLE;
}
