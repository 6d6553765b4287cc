/**
 * Progressive Neural Architecture Search, Liu et al. 2018 (ECCV), Sec. 3 / Algorithm 1: sequential
 * model-based optimisation with a learned accuracy predictor.
 *
 * With a space that offers a `progression` (cells grown block by block): train every 1-block cell,
 * fit the surrogate, expand each of the K best cells by one block, score every expansion, keep
 * the top K (the beam), train them, refit, repeat until B blocks. Without one (e.g. NAS-Bench-201,
 * or after the last block): each round scores a pool of unseen random samples and mutations of the
 * best cells, and trains the top K — the PNAS surrogate machinery without the progression.
 *
 * Rounds are synchronous, as in the paper: the next beam is built once every trial of the current
 * one has finished; until then `propose` returns nothing. Each beam's predictions are stored at
 * proposal time, so the surrogate's rank correlation on that beam (architectures it had not seen)
 * is reported once their results arrive.
 */
import { at } from '../../common/indexing.js';
import { Rng } from '../../common/rng.js';
import type { SearchSpace } from '../../space/types.js';
import { BaseSearch, unpackState, type BaseInit, type TrialRecord } from '../base.js';
import { AlgorithmError, type AlgorithmState } from '../types.js';
import { Surrogate, resolveSurrogateArgs, spearman, type SurrogateArgs, type SurrogateConfig } from './surrogates.js';
import { progressionOf, tokenizerFor, type Tokenizer } from './tokens.js';

import { PNAS } from './definition.js';

export { PNAS };

export interface PnasArgs {
  surrogate?: SurrogateArgs;
  /** Beam size K. Default: 10. */
  beam?: number;
  /** Random architectures before the first fit (spaces without a progression). Default: 20. */
  initial?: number;
  /** Unseen candidates scored per round (spaces without a progression). Default: 1000. */
  pool?: number;
  /** Cap on expansions scored per progressive step (subsampled beyond it). Default: 2000. */
  maxCandidates?: number;
}

interface Config {
  surrogate: SurrogateConfig;
  beam: number;
  initial: number;
  pool: number;
  maxCandidates: number;
}

export interface BeamCorrelation {
  round: number;
  /** Blocks of the beam's cells (progressive rounds only). */
  blocks?: number;
  size: number;
  spearman: number;
}

interface Data {
  config: Config;
  round: number;
  /** Blocks of the current progressive round; 0 before the first, > maxBlocks after the last. */
  blocks: number;
  queue: { genotype: unknown; predicted?: number }[];
  predicted: Record<string, number>;
  /** Trial id -> the round whose beam proposed it (trials with a prediction only); absent in older states. */
  beamOf?: Record<string, number>;
  roundTrials: string[];
  correlations: BeamCorrelation[];
  norm: { mean: number; std: number };
  fitted: boolean;
}

export class PnasSearch<G> extends BaseSearch<G> {
  private readonly surrogate: Surrogate;
  private readonly tokenizer: Tokenizer<G>;

  private constructor(
    space: SearchSpace<G>,
    init: BaseInit,
    private readonly data: Data,
    weights: string | undefined,
  ) {
    super(PNAS, space, init);
    this.tokenizer = tokenizerFor(space);
    this.surrogate = new Surrogate(data.config.surrogate, Rng.fromState(init.rng).fork('surrogate'));
    if (weights !== undefined) this.surrogate.load(weights.split(','), data.norm);
  }

  static create<G>(space: SearchSpace<G>, seed: number, args: PnasArgs = {}): PnasSearch<G> {
    const tok = tokenizerFor(space);
    const config: Config = {
      surrogate: resolveSurrogateArgs(args.surrogate ?? {}, tok.vocab, tok.length),
      beam: args.beam ?? 10,
      initial: args.initial ?? 20,
      pool: args.pool ?? 1000,
      maxCandidates: args.maxCandidates ?? 2000,
    };
    for (const k of ['beam', 'initial', 'pool', 'maxCandidates'] as const) {
      if (!Number.isInteger(config[k]) || config[k] < 1) throw new AlgorithmError(`pnas.${k}`, `expected a positive integer; received ${config[k]}`);
    }
    const data: Data = {
      config,
      round: 0,
      blocks: 0,
      queue: [],
      predicted: {},
      beamOf: {},
      roundTrials: [],
      correlations: [],
      norm: { mean: 0, std: 1 },
      fitted: false,
    };
    return new PnasSearch(space, { rng: Rng.seeded(seed).state() }, data, undefined);
  }

  static restore<G>(space: SearchSpace<G>, state: AlgorithmState): PnasSearch<G> {
    const { init, data } = unpackState(state, PNAS, space.name);
    return new PnasSearch(space, init, structuredClone(data as Data), state.weights);
  }

  /** Rank correlation of the surrogate on each finished beam, in round order. */
  correlations(): BeamCorrelation[] {
    return this.data.correlations.map((c) => ({ ...c }));
  }

  /** Surrogate predictions for arbitrary genotypes (for held-out evaluation). */
  predict(genotypes: readonly G[]): number[] {
    return this.surrogate.predict(genotypes.map((g) => this.tokenizer.tokens(g)));
  }

  protected next(trialId: string): G | undefined {
    if (this.data.queue.length === 0) {
      if (this.data.roundTrials.some((id) => this.trials.get(id)?.status === 'running')) return undefined;
      this.startRound();
    }
    while (this.data.queue.length > 0) {
      const item = this.data.queue.shift()!;
      const g = this.space.parse(item.genotype);
      if (this.seen.has(this.space.hash(this.space.canonical(g)))) continue;
      this.data.roundTrials.push(trialId);
      if (item.predicted !== undefined) {
        this.data.predicted[trialId] = item.predicted;
        (this.data.beamOf ??= {})[trialId] = this.data.round;
      }
      return g;
    }
    return undefined;
  }

  protected learn(_finished: readonly TrialRecord<G>[]): void {}

  protected saveData(): unknown {
    return { ...this.data, norm: this.surrogate.normalisation() };
  }

  protected override saveWeights(): string {
    return this.surrogate.save().join(',');
  }

  /** Closes the finished round (correlation) and fills the queue with the next one. */
  private startRound(): void {
    this.recordCorrelation();
    this.data.roundTrials = [];
    this.data.round++;
    const progression = progressionOf(this.space);
    let candidates: G[];
    if (progression && this.data.blocks === 0) {
      this.data.blocks = 1;
      // Every 1-block cell is trained; the seeded order only decides which workers get them first.
      this.enqueue(this.rng.shuffle(progression.initial()), undefined);
      return;
    }
    if (!progression && this.data.round === 1) {
      const initial: G[] = [];
      for (let i = 0; i < this.data.config.initial; i++) {
        const g = this.unseenExcluding(initial);
        if (g !== undefined) initial.push(g);
      }
      this.enqueue(initial, undefined);
      return;
    }
    this.fit();
    if (progression && this.data.blocks < progression.maxBlocks) {
      const parents = this.topSucceeded((t) => progression.blocks(t.genotype) === this.data.blocks, this.data.config.beam);
      this.data.blocks++;
      candidates = this.unseenOnly(parents.flatMap((p) => progression.expand(p.genotype)));
      if (candidates.length > this.data.config.maxCandidates) {
        candidates = this.rng.shuffle(candidates).slice(0, this.data.config.maxCandidates);
      }
    } else {
      candidates = this.pool(progression ? (t) => progression.blocks(t.genotype) === progression.maxBlocks : () => true);
    }
    const scores = this.predict(candidates);
    const top = candidates
      .map((genotype, i) => ({ genotype, score: at(scores, i, 'surrogate prediction'), i }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, this.data.config.beam);
    this.enqueue(
      top.map((c) => c.genotype),
      top.map((c) => c.score),
    );
  }

  private enqueue(genotypes: readonly G[], predicted: readonly number[] | undefined): void {
    this.data.queue = genotypes.map((g, i) => ({ genotype: this.space.serialize(g), ...(predicted ? { predicted: predicted[i] } : {}) }));
  }

  private fit(): void {
    const train = this.succeeded();
    this.surrogate.fit(
      train.map((t) => this.tokenizer.tokens(t.genotype)),
      train.map((t) => t.score as number),
      this.rng,
    );
    this.data.fitted = true;
  }

  private recordCorrelation(): void {
    const done = this.data.roundTrials.flatMap((id) => {
      const predicted = this.data.predicted[id];
      const trial = this.trials.get(id);
      return predicted !== undefined && trial?.status === 'succeeded' ? [{ predicted, score: trial.score as number }] : [];
    });
    if (done.length < 2) return;
    const rho = spearman(
      done.map((d) => d.predicted),
      done.map((d) => d.score),
    );
    this.data.correlations.push({ round: this.data.round, ...(this.data.blocks > 0 ? { blocks: this.data.blocks } : {}), size: done.length, spearman: rho });
  }

  /** Unseen random samples plus mutations of the best cells that pass `filter`. */
  private pool(filter: (t: TrialRecord<G>) => boolean): G[] {
    const out: G[] = [];
    const parents = this.topSucceeded(filter, 10);
    const wanted = this.data.config.pool;
    for (let i = 0; i < wanted * 4 && out.length < wanted; i++) {
      const g = parents.length > 0 && i % 2 === 0 ? this.space.mutate(parents[i % parents.length]!.genotype, this.rng) : this.space.sample(this.rng);
      out.push(g);
      if (out.length === wanted) break;
    }
    return this.unseenOnly(out);
  }

  private topSucceeded(filter: (t: TrialRecord<G>) => boolean, k: number): TrialRecord<G>[] {
    return this.succeeded()
      .filter(filter)
      .sort((a, b) => (b.score as number) - (a.score as number) || (a.finishedAt as number) - (b.finishedAt as number))
      .slice(0, k);
  }

  /** Canonical, unseen and mutually distinct. */
  private unseenOnly(genotypes: readonly G[]): G[] {
    const keep = new Map<string, G>();
    for (const g of genotypes) {
      const c = this.space.canonical(g);
      const h = this.space.hash(c);
      if (!this.seen.has(h) && !keep.has(h)) keep.set(h, c);
    }
    return [...keep.values()];
  }

  private unseenExcluding(chosen: readonly G[]): G | undefined {
    const taken = new Set(chosen.map((g) => this.space.hash(this.space.canonical(g))));
    for (let i = 0; i < 1000; i++) {
      const g = this.space.canonical(this.space.sample(this.rng));
      const h = this.space.hash(g);
      if (!this.seen.has(h) && !taken.has(h)) return g;
    }
    return undefined;
  }
}
