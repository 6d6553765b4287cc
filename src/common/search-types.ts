/**
 * Data that crosses between the search workflow and its activities. Plain JSON, no behaviour, so
 * workflow code can import it.
 */

/** What the workflow learns about a proposal: enough for logs and the leaderboard, not the genotype. */
export interface ProposalSummary {
  trialId: string;
  hash: string;
  /** Compact one-line genotype (space.describe). */
  summary: string;
}

export type FailureClass = 'user' | 'infra';

export interface TrialOutcome {
  trialId: string;
  status: 'succeeded' | 'failed';
  /** For failures: user failures count toward maxFailedTrials; infra failures are retried. */
  failure?: FailureClass;
  /** Why it failed (exit code and the trainer's message). */
  reason?: string;
  /** Search signal: validation accuracy in percent. */
  accuracy?: number;
  /** Reported only (benchmark test accuracy, or the trainer's test accuracy). */
  testAccuracy?: number;
  cost?: number;
  /** Wall seconds the trial took (or simulated seconds for benchmark evaluators). */
  seconds?: number;
  attempt: number;
}

export interface LeaderboardEntry {
  trialId: string;
  accuracy: number;
  testAccuracy?: number;
  summary: string;
}

export type SearchPhase = 'Initializing' | 'Running' | 'Paused' | 'Stopping' | 'Succeeded' | 'Failed' | 'Cancelled';

export interface SearchProgress {
  searchId: string;
  algorithm: string;
  phase: SearchPhase;
  maxTrials: number;
  parallelism: number;
  counts: { succeeded: number; failed: number; infraRetries: number; running: number; cancelled: number };
  best?: LeaderboardEntry;
  running: string[];
  recent: TrialOutcome[];
  /** Milliseconds since the search started (workflow time). */
  elapsedMs: number;
  /** Estimated milliseconds to finish, from the mean trial time and parallelism. */
  etaMs?: number;
  /** Why the search failed or stopped, when it did. */
  reason?: string;
  /** Number of workflow runs so far (continue-as-new). */
  runs: number;
  /** PONAS one-shot searches: where the supernet stages stand. */
  oneShot?: OneShotProgress;
}

/**
 * PONAS's one-shot stages: `meta` (supernet meta-training), `table` (one progressive trial per
 * table row), then `children` (the selected networks train as ordinary trials).
 */
export interface OneShotProgress {
  stage: 'meta' | 'table' | 'children';
  /** Table rows measured so far, and rows in all. */
  rowsDone: number;
  rows: number;
  /** Winning block per measured row, e.g. `e6k5se` (the layer's choice from then on). */
  winners: string[];
  /** Estimated milliseconds until the supernet stages end, from the mean stage trial so far. */
  stageEtaMs?: number;
  /** The budgeted pick once the table is complete. */
  selection?: { summary: string; cost: number; unit: string; frontSize: number };
}

export interface SearchResult {
  searchId: string;
  phase: SearchPhase;
  progress: SearchProgress;
  leaderboard: LeaderboardEntry[];
}
