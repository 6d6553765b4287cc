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
  /** Searches with a final stage, once it has begun. */
  final?: FinalProgress;
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

/** One architecture of the final stage (spec `final`): a search trial trained again at the final size. */
export interface FinalTrialProgress {
  trialId: string;
  /** The search trial it retrains, with that trial's search validation accuracy (percent) and genotype summary. */
  sourceTrialId: string;
  searchAccuracy: number;
  summary: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  /** Validation and test accuracy (percent) at the final size. */
  accuracy?: number;
  testAccuracy?: number;
  seconds?: number;
  reason?: string;
}

/** The final stage: `preparing` (writing the trial specs), `training`, then `done`. */
export interface FinalProgress {
  stage: 'preparing' | 'training' | 'done';
  /** How the final size differs from the search's, e.g. "N=2 F=8 4 epochs". */
  size: string;
  trials: FinalTrialProgress[];
}

export interface SearchResult {
  searchId: string;
  phase: SearchPhase;
  progress: SearchProgress;
  leaderboard: LeaderboardEntry[];
}
