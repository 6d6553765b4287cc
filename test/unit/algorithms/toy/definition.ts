/**
 * A toy search method, defined the way a real one is (src/algorithms/definition.ts): "best of k":
 * draw k unseen architectures and propose the one with the smallest hash. Its whole footprint is
 * this folder plus one line in ../toy-registry.ts.
 */
import { z } from 'zod';
import { Rng } from '../../../../src/common/rng.js';
import { BaseSearch, unpackState, type BaseInit } from '../../../../src/algorithms/base.js';
import { defineAlgorithm } from '../../../../src/algorithms/definition.js';
import type { SearchSpace } from '../../../../src/space/types.js';

export const TOY = 'best-of-k';

interface ToyArgs {
  k: number;
}

class BestOfK<G> extends BaseSearch<G> {
  constructor(
    space: SearchSpace<G>,
    init: BaseInit,
    private readonly k: number,
  ) {
    super(TOY, space, init);
  }

  protected next(): G | undefined {
    const draws: G[] = [];
    for (let i = 0; i < this.k; i++) {
      const g = this.unseen(() => this.space.sample(this.rng));
      if (g !== undefined) draws.push(g);
    }
    return draws.sort((a, b) => this.space.hash(this.space.canonical(a)).localeCompare(this.space.hash(this.space.canonical(b))))[0];
  }

  protected learn(): void {}

  protected saveData(): unknown {
    return { k: this.k };
  }
}

export const toyAlgorithm = defineAlgorithm({
  name: TOY,
  specKey: 'bestOfK',
  method: 'k unseen samples, the smallest hash proposed (a toy)',
  reference: 'none (test only)',
  settings: z
    .object({ k: z.number().int().min(1).max(16).default(3).describe('Samples drawn per proposal. Default: 3.') })
    .strict()
    .describe('Best of k: a toy method that shows what adding a method takes.'),
  argsFrom: (s): ToyArgs => ({ k: s.k }),
  load: async () => ({
    create: (space, seed, args) => new BestOfK(space, { rng: Rng.seeded(seed).state() }, args?.k ?? 3),
    restore: (space, state) => {
      const { init, data } = unpackState(state, TOY, space.name);
      return new BestOfK(space, init, (data as ToyArgs).k);
    },
  }),
});
