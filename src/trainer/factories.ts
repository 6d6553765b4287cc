/**
 * The model factory the `nasflow train` command uses: maps a spec's `space` to the builder in
 * src/models. Kept apart from the loop so tests can inject a tiny network instead.
 */
import { BadSpecError } from './errors.js';
import type { ModelFactory } from './model.js';

const FACTORIES: Record<string, ModelFactory> = {};

export const defaultModelFactory: ModelFactory = (tf, spec, input) => {
  const factory = FACTORIES[spec.space];
  if (!factory) {
    throw new BadSpecError('space', `expected one of ${Object.keys(FACTORIES).join(', ') || '(none registered)'}, received ${JSON.stringify(spec.space)}`);
  }
  return factory(tf, spec, input);
};
