/**
 * Regularized (aging) evolution, Real et al. 2019 (AmoebaNet, AAAI), Algorithm 1: a population of
 * the P most recently finished architectures; each child mutates the best of S members drawn at
 * random; the oldest member dies when a child joins.
 *
 * Asynchronous form: "most recent" means the last P results to arrive, so a population is a pure
 * function of the ledger and needs no state of its own. Until P architectures have been proposed
 * the children are uniform samples (the random initial population). Failed trials never join.
 */
import { Rng } from '../../common/rng.js';
import type { SearchSpace } from '../../space/types.js';
import { BaseSearch, unpackState, type BaseInit } from '../base.js';
import { AlgorithmError, type AlgorithmState } from '../types.js';

export const EVOLUTION = 'regularized-evolution';

export interface EvolutionArgs {
  /** Population size P. Default: 20. */
  population?: number;
  /** Tournament sample size S. Default: 5. */
  sample?: number;
}

type Config = Required<EvolutionArgs>;

export class RegularizedEvolution<G> extends BaseSearch<G> {
  private constructor(
    space: SearchSpace<G>,
    init: BaseInit,
    private readonly config: Config,
  ) {
    super(EVOLUTION, space, init);
  }

  static create<G>(space: SearchSpace<G>, seed: number, args: EvolutionArgs = {}): RegularizedEvolution<G> {
    const config = { population: args.population ?? 20, sample: args.sample ?? 5 };
    for (const [k, v] of Object.entries(config)) {
      if (!Number.isInteger(v) || v < 1) throw new AlgorithmError(`evolution.${k}`, `expected a positive integer; received ${v}`);
    }
    if (config.sample > config.population) {
      throw new AlgorithmError('evolution.sample', `expected at most population (${config.population}); received ${config.sample}`);
    }
    return new RegularizedEvolution(space, { rng: Rng.seeded(seed).state() }, config);
  }

  static restore<G>(space: SearchSpace<G>, state: AlgorithmState): RegularizedEvolution<G> {
    const { init, data } = unpackState(state, EVOLUTION, space.name);
    return new RegularizedEvolution(space, init, (data as { config: Config }).config);
  }

  protected next(): G | undefined {
    const population = this.succeeded().slice(-this.config.population);
    if (this.counts.proposed < this.config.population || population.length === 0) {
      return this.unseen(() => this.space.sample(this.rng));
    }
    let parent = this.rng.pick(population);
    for (let i = 1; i < this.config.sample; i++) {
      const c = this.rng.pick(population);
      if ((c.score as number) > (parent.score as number)) parent = c;
    }
    return this.unseen(() => this.space.mutate(parent.genotype, this.rng));
  }

  protected learn(): void {}

  protected saveData(): unknown {
    return { config: this.config };
  }
}
