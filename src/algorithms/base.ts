/**
 * Bookkeeping shared by every algorithm: the trial ledger (running, succeeded, failed), the set of
 * canonical hashes already proposed, the seeded Rng and the state envelope. Subclasses decide only
 * what to propose next (`next`) and how to learn from finished trials (`learn`).
 *
 * Why a ledger of every trial: deduplication must include running and failed trials (a failed
 * architecture is never proposed again), and out-of-order results need the proposal they answer.
 */
import { Rng, type RngState } from '../common/rng.js';
import type { SearchSpace } from '../space/types.js';
import { AlgorithmError, type AlgorithmState, type Proposal, type SearchAlgorithm, type TrialCounts, type TrialResult } from './types.js';

export interface TrialRecord<G> {
  readonly id: string;
  readonly hash: string;
  readonly genotype: G;
  status: 'running' | 'succeeded' | 'failed';
  accuracy?: number;
  cost?: number;
  /** The search's own signal (accuracy, or a cost-aware reward). */
  score?: number;
  /** Order in which results arrived (0-based), for age-based algorithms. */
  finishedAt?: number;
}

/** JSON form of a ledger entry. */
interface StoredTrial {
  id: string;
  hash: string;
  genotype: unknown;
  status: TrialRecord<unknown>['status'];
  accuracy?: number;
  cost?: number;
  score?: number;
  finishedAt?: number;
}

/** What the base class needs to start (fresh) or continue (restored). */
export interface BaseInit {
  readonly rng: RngState;
  readonly counts?: TrialCounts;
  readonly trials?: readonly StoredTrial[];
}

/** Attempts at drawing an unseen genotype before giving up (the space may be nearly exhausted). */
const UNSEEN_ATTEMPTS = 2000;

export abstract class BaseSearch<G> implements SearchAlgorithm<G> {
  protected readonly rng: Rng;
  protected readonly counts: TrialCounts;
  protected readonly trials = new Map<string, TrialRecord<G>>();
  protected readonly seen = new Set<string>();

  constructor(
    readonly name: string,
    protected readonly space: SearchSpace<G>,
    init: BaseInit,
  ) {
    this.rng = Rng.fromState(init.rng);
    this.counts = { proposed: 0, succeeded: 0, failed: 0, ...init.counts };
    for (const t of init.trials ?? []) {
      const genotype = space.parse(t.genotype);
      this.trials.set(t.id, { ...t, genotype });
      this.seen.add(t.hash);
    }
  }

  /** The next genotype to try (unseen by hash), or undefined when nothing can be proposed now. */
  protected abstract next(trialId: string): G | undefined;
  /** Learn from trials that just finished (already recorded in the ledger). */
  protected abstract learn(finished: readonly TrialRecord<G>[]): void;
  /** Algorithm-specific JSON state. */
  protected abstract saveData(): unknown;
  /** Learned weights as base64, if the algorithm has any. */
  protected saveWeights(): string | undefined {
    return undefined;
  }
  /** The search signal of a succeeded trial; cost-aware algorithms override. */
  protected score(accuracy: number, _cost: number | undefined, _genotype: G): number {
    return accuracy;
  }

  propose(trialIds: readonly string[]): Proposal<G>[] {
    const out: Proposal<G>[] = [];
    for (const id of trialIds) {
      if (this.trials.has(id)) throw new AlgorithmError('trialIds', `id ${id} was already used; allocate fresh ids`);
      const raw = this.next(id);
      if (raw === undefined) break;
      const genotype = this.space.canonical(raw);
      const hash = this.space.hash(genotype);
      if (this.seen.has(hash)) throw new Error(`${this.name} proposed a duplicate (${hash}); this is a bug`);
      this.seen.add(hash);
      this.trials.set(id, { id, hash, genotype, status: 'running' });
      this.counts.proposed++;
      out.push({ trialId: id, genotype, hash });
    }
    return out;
  }

  observe(results: readonly TrialResult[]): void {
    const finished: TrialRecord<G>[] = [];
    for (const r of results) {
      const t = this.trials.get(r.trialId);
      if (!t) throw new AlgorithmError('results.trialId', `unknown trial ${r.trialId}; expected one returned by propose`);
      if (t.status !== 'running') continue; // a repeated report (retried activity) changes nothing
      const order = this.counts.succeeded + this.counts.failed;
      if (r.status === 'failed') {
        t.status = 'failed';
        this.counts.failed++;
      } else {
        if (typeof r.accuracy !== 'number' || !Number.isFinite(r.accuracy)) {
          throw new AlgorithmError('results.accuracy', `expected a finite number for succeeded trial ${r.trialId}; received ${String(r.accuracy)}`);
        }
        t.status = 'succeeded';
        t.accuracy = r.accuracy;
        if (r.cost !== undefined) t.cost = r.cost;
        t.score = this.score(r.accuracy, r.cost, t.genotype);
        this.counts.succeeded++;
      }
      t.finishedAt = order;
      finished.push(t);
    }
    if (finished.length > 0) this.learn(finished);
  }

  pending(): string[] {
    return [...this.trials.values()].filter((t) => t.status === 'running').map((t) => t.id);
  }

  best(): { trialId: string; genotype: G; score: number } | undefined {
    let best: TrialRecord<G> | undefined;
    for (const t of this.trials.values()) {
      if (t.status === 'succeeded' && (best === undefined || (t.score as number) > (best.score as number))) best = t;
    }
    return best && { trialId: best.id, genotype: best.genotype, score: best.score as number };
  }

  state(): AlgorithmState {
    const trials: StoredTrial[] = [...this.trials.values()].map((t) => ({ ...t, genotype: this.space.serialize(t.genotype) }));
    const weights = this.saveWeights();
    return {
      algorithm: this.name,
      space: this.space.name,
      version: 1,
      counts: { ...this.counts },
      rng: this.rng.state(),
      data: { trials, algo: this.saveData() },
      ...(weights === undefined ? {} : { weights }),
    };
  }

  /** Succeeded trials in the order their results arrived. */
  protected succeeded(): TrialRecord<G>[] {
    return [...this.trials.values()].filter((t) => t.status === 'succeeded').sort((a, b) => (a.finishedAt as number) - (b.finishedAt as number));
  }

  /** Draws from `draw` until the hash is unseen; falls back to uniform samples; undefined if none. */
  protected unseen(draw: () => G, attempts = 50): G | undefined {
    for (let i = 0; i < attempts; i++) {
      const g = draw();
      if (!this.seen.has(this.space.hash(this.space.canonical(g)))) return g;
    }
    for (let i = 0; i < UNSEEN_ATTEMPTS; i++) {
      const g = this.space.sample(this.rng);
      if (!this.seen.has(this.space.hash(this.space.canonical(g)))) return g;
    }
    return undefined;
  }
}

/** Splits a stored state into the base init and the algorithm's own data; checks the envelope. */
export function unpackState(state: AlgorithmState, algorithm: string, space: string): { init: BaseInit; data: unknown } {
  if (state.algorithm !== algorithm) throw new AlgorithmError('state.algorithm', `expected ${algorithm}; received ${state.algorithm}`);
  if (state.space !== space) throw new AlgorithmError('state.space', `expected ${space}; received ${state.space}`);
  if (state.version !== 1) throw new AlgorithmError('state.version', `expected 1; received ${String(state.version)}`);
  const d = state.data as { trials: StoredTrial[]; algo: unknown };
  return { init: { rng: state.rng, counts: state.counts, trials: d.trials }, data: d.algo };
}
