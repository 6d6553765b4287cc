/**
 * Random search: uniform samples from the space, never repeating a canonical hash. The baseline
 * every NAS paper reports (NAS-Bench-201, Dong & Yang 2020, Sec. 5: "RS").
 */
import { Rng } from '../../common/rng.js';
import type { SearchSpace } from '../../space/types.js';
import { BaseSearch, unpackState, type BaseInit } from '../base.js';
import type { AlgorithmState } from '../types.js';

export const RANDOM = 'random';

export class RandomSearch<G> extends BaseSearch<G> {
  constructor(space: SearchSpace<G>, init: BaseInit) {
    super(RANDOM, space, init);
  }

  static create<G>(space: SearchSpace<G>, seed: number): RandomSearch<G> {
    return new RandomSearch(space, { rng: Rng.seeded(seed).state() });
  }

  static restore<G>(space: SearchSpace<G>, state: AlgorithmState): RandomSearch<G> {
    return new RandomSearch(space, unpackState(state, RANDOM, space.name).init);
  }

  protected next(): G | undefined {
    return this.unseen(() => this.space.sample(this.rng));
  }

  protected learn(): void {}

  protected saveData(): unknown {
    return {};
  }
}
