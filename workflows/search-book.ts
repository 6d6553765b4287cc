/**
 * The bookkeeping of a search in a plain class: counts, leaderboard, recent results, running
 * trials. Serialisable (it is the continue-as-new carry) and free of Temporal APIs.
 */
import type { FinalProgress, LeaderboardEntry, OneShotProgress, ProposalSummary, SearchPhase, TrialOutcome } from '../src/common/search-types.js';

const LEADERBOARD_SIZE = 50;
const RECENT_SIZE = 10;

export interface RunningTrial {
  trialId: string;
  attempt: number;
  summary: string;
  /** PONAS one-shot stage trials: the supernet step (0 = meta-training, l = table row l). */
  stage?: number;
  /** A final-stage trial (spec `final`): its outcome goes to the final table, not to the algorithm. */
  final?: true;
}

export interface BookState {
  phase: SearchPhase;
  maxTrials: number;
  parallelism: number;
  stopping: boolean;
  cancelling: boolean;
  paused: boolean;
  succeeded: number;
  failed: number;
  userFailures: number;
  infraRetries: number;
  cancelled: number;
  nextRound: number;
  stateVersion: number;
  running: RunningTrial[];
  /** Proposals not launched yet: they returned while the search was paused (carried over continue-as-new). */
  pending: ProposalSummary[];
  leaderboard: LeaderboardEntry[];
  recent: TrialOutcome[];
  startedAtMs: number;
  runs: number;
  exhausted: boolean;
  reason?: string;
  /** PONAS one-shot stages: progress plus the winning slot of every measured row. */
  oneShot?: OneShotProgress & { fixed: number[]; stageTrials: number; childrenSinceMs?: number };
  /** The final stage, once the search itself has succeeded and the spec asks for one. */
  final?: FinalProgress;
}

export class SearchBook {
  constructor(readonly s: BookState) {
    s.pending ??= []; // carries written before proposals could wait
  }

  static fresh(maxTrials: number, parallelism: number, startedAtMs: number): SearchBook {
    return new SearchBook({
      phase: 'Initializing',
      maxTrials,
      parallelism,
      stopping: false,
      cancelling: false,
      paused: false,
      succeeded: 0,
      failed: 0,
      userFailures: 0,
      infraRetries: 0,
      cancelled: 0,
      nextRound: 0,
      stateVersion: 0,
      running: [],
      pending: [],
      leaderboard: [],
      recent: [],
      startedAtMs,
      runs: 1,
      exhausted: false,
    });
  }

  get finished(): number {
    return this.s.succeeded + this.s.failed;
  }

  /** Trials that may still be launched under the budget. */
  get remaining(): number {
    return Math.max(0, this.s.maxTrials - this.finished - this.s.running.length - this.s.pending.length);
  }

  get freeSlots(): number {
    return Math.max(0, this.s.parallelism - this.s.running.length);
  }

  canLaunch(): boolean {
    return !this.s.paused && !this.s.stopping && !this.s.cancelling && !this.s.exhausted && this.remaining > 0 && this.freeSlots > 0;
  }

  done(): boolean {
    if (this.s.running.length > 0) return false;
    return this.s.stopping || this.s.cancelling || this.s.exhausted || this.finished >= this.s.maxTrials;
  }

  started(p: ProposalSummary): void {
    this.s.running.push({ trialId: p.trialId, attempt: 1, summary: p.summary });
  }

  runningTrial(trialId: string): RunningTrial | undefined {
    return this.s.running.find((r) => r.trialId === trialId);
  }

  /** Records a final outcome (success, user failure, or infra failure past its retries). */
  finish(outcome: TrialOutcome): void {
    const run = this.runningTrial(outcome.trialId);
    this.s.running = this.s.running.filter((r) => r.trialId !== outcome.trialId);
    this.s.recent = [outcome, ...this.s.recent].slice(0, RECENT_SIZE);
    if (outcome.status === 'succeeded' && outcome.accuracy !== undefined) {
      this.s.succeeded++;
      const entry: LeaderboardEntry = { trialId: outcome.trialId, accuracy: outcome.accuracy, summary: run?.summary ?? '' };
      if (outcome.testAccuracy !== undefined) entry.testAccuracy = outcome.testAccuracy;
      this.s.leaderboard = [...this.s.leaderboard, entry]
        .sort((a, b) => b.accuracy - a.accuracy || (a.trialId < b.trialId ? -1 : 1))
        .slice(0, LEADERBOARD_SIZE);
    } else {
      this.s.failed++;
      if (outcome.failure === 'user') this.s.userFailures++;
    }
  }

  /** A trial cancelled by the user: it leaves the running set and counts as cancelled, not failed. */
  cancelRunning(): string[] {
    const ids = this.s.running.map((r) => r.trialId);
    this.s.cancelled += ids.length;
    this.s.running = [];
    return ids;
  }
}
