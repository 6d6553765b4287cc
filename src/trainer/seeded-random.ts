/**
 * Runs code with `Math.random` drawing from a seeded {@link Rng}.
 *
 * Why: tfjs seeds every unseeded random op (weight initialisers, dropout, drop-path masks) from
 * Math.random. Routing it through our Rng, whose state is saved in each checkpoint, makes model
 * initialisation and stochastic layers reproducible across processes, which is what lets a
 * resumed trial repeat the uninterrupted run exactly on the pure-JS backend. Only synchronous
 * sections are wrapped (or the model build), so no unrelated code draws from the stream.
 */
import type { Rng } from '../common/rng.js';

export function withSeededRandom<T>(rng: Rng, fn: () => T): T {
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    const out = fn();
    if (out instanceof Promise) {
      return out.finally(() => {
        Math.random = original;
      }) as T;
    }
    Math.random = original;
    return out;
  } catch (err) {
    Math.random = original;
    throw err;
  }
}
