/**
 * The trainer's edge: parses a trial spec (the contract is src/api/trial-spec.ts) and turns the
 * first bad field into a {@link BadSpecError} (exit 2) naming `<spec-uri>#<field>`.
 */
import type { z } from 'zod';
import { valueAt } from '../common/value-at.js';
import { at } from '../common/indexing.js';
import { BadSpecError } from './errors.js';
import { trialSpecSchema, type TrialSpec } from '../api/trial-spec.js';

export { TRIAL_SPEC_VERSION, recipeSchema, trialSpecSchema, trainingHash, type TrialRecipe, type TrialSpec } from '../api/trial-spec.js';

/** Parses untrusted JSON; throws {@link BadSpecError} naming the first bad field (`source` is the spec URI). */
export function parseTrialSpec(json: unknown, source = 'spec'): TrialSpec {
  return parseWith(trialSpecSchema, json, source);
}

/** Parses `json` with `schema`, turning the first issue into a {@link BadSpecError} naming `source#field`. */
export function parseWith<T>(schema: z.ZodType<T>, json: unknown, source: string): T {
  const out = schema.safeParse(json);
  if (out.success) return out.data;
  const issue = at(out.error.issues, 0, 'zod issue');
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  const received = valueAt(json, issue.path);
  throw new BadSpecError(`${source}#${field}`, `${issue.message}; received ${received === undefined ? 'nothing' : JSON.stringify(received)}`);
}
