/**
 * The trainer's exit codes: the one contract between a trial process and whoever runs it (the
 * Kubernetes Job's pod failure policy, the local process launcher, the search's failure
 * classification). docs/design.md rule 4.
 *
 * | code | meaning | retried? | counts against maxFailedTrials? |
 * |---|---|---|---|
 * | 0  | success; result.json written | - | - |
 * | 2  | bad spec or unusable dataset (message names the field or URI) | never | yes |
 * | 3  | numerical failure (NaN/Inf loss) | never | yes |
 * | 75 | preempted (SIGTERM); a checkpoint was written first (EX_TEMPFAIL) | yes, resumes | no |
 * | other (1, 137, ...) | crash, OOM-kill, S3 outage | yes, from the last checkpoint | no, up to the retry limit |
 */
import type { FailureClass } from '../common/search-types.js';

export const EXIT_OK = 0;
/** Any failure worth a retry from the last checkpoint (the trainer's default for an unknown error). */
export const EXIT_RETRYABLE = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_NUMERICAL = 3;
export const EXIT_PREEMPTED = 75;

/** Codes that end a trial as the user's failure at once: never retried, counted. */
export const USER_EXIT_CODES: readonly number[] = [EXIT_BAD_INPUT, EXIT_NUMERICAL];

/** The failure class of an exit code, or undefined for success. */
export function classifyExit(exitCode: number): FailureClass | undefined {
  if (exitCode === EXIT_OK) return undefined;
  return USER_EXIT_CODES.includes(exitCode) ? 'user' : 'infra';
}
