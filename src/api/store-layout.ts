/**
 * The object-store key layout of docs/design.md, in one place: a contract between the search, the
 * trainer and anyone reading a bucket. Every other module asks this one for
 * keys instead of concatenating strings, so the layout can change in a single file.
 *
 * ```
 * searches/<searchId>/spec.json
 * searches/<searchId>/state/<version>.json            (+ <version>.weights.bin)
 * searches/<searchId>/trials/<trialId>/spec.json
 * searches/<searchId>/trials/<trialId>/checkpoints/<step>/{state.json,weights.bin}
 * searches/<searchId>/trials/<trialId>/checkpoints/LATEST   (written last: "<step>")
 * searches/<searchId>/trials/<trialId>/result.json          (written last, atomically)
 * searches/<searchId>/trials/<trialId>/logs/attempt-<n>.log  (the attempt's output, once it exited)
 * searches/<searchId>/trials/<trialId>/logs/attempt-<n>.json (when, where and how it ended: api/trial-result.ts)
 * searches/<searchId>/tables/<name>.json
 * ```
 * Trial ids (`<searchId>/<round>/<index>`) contain slashes and nest as directories.
 */
/** A key that cannot name an object (empty, absolute, or with `.`/`..` segments). */
export class InvalidKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

/** Throws {@link InvalidKeyError} unless `key` is a relative, normalised, non-empty path. */
export function checkKey(key: string): string {
  if (key.length === 0) throw new InvalidKeyError(key, 'expected a non-empty key');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'expected a relative key, received a leading "/"');
  if (key.endsWith('/')) throw new InvalidKeyError(key, 'expected an object key, received a trailing "/"');
  for (const part of key.split('/')) {
    if (part === '' || part === '.' || part === '..') {
      throw new InvalidKeyError(key, 'expected no empty, "." or ".." segments');
    }
  }
  return key;
}

export const searchPrefix = (searchId: string): string => checkKey(`searches/${searchId}`);
export const searchSpecKey = (searchId: string): string => `${searchPrefix(searchId)}/spec.json`;
export const stateKey = (searchId: string, version: number | string): string => `${searchPrefix(searchId)}/state/${version}.json`;
export const stateWeightsKey = (searchId: string, version: number | string): string => `${searchPrefix(searchId)}/state/${version}.weights.bin`;
export const tableKey = (searchId: string, name: string): string => `${searchPrefix(searchId)}/tables/${name}.json`;

/** The prefix under which one trial keeps its spec, checkpoints and result. */
export const trialPrefix = (searchId: string, trialId: string): string => checkKey(`${searchPrefix(searchId)}/trials/${trialId}`);
export const trialSpecKey = (searchId: string, trialId: string): string => `${trialPrefix(searchId, trialId)}/spec.json`;
export const trialResultKey = (searchId: string, trialId: string): string => `${trialPrefix(searchId, trialId)}/result.json`;

export const trialLogKey = (searchId: string, trialId: string, attempt: number): string => `${trialPrefix(searchId, trialId)}/logs/attempt-${attempt}.log`;
export const trialAttemptKey = (searchId: string, trialId: string, attempt: number): string => `${trialPrefix(searchId, trialId)}/logs/attempt-${attempt}.json`;

/** Keys relative to a trial's prefix (what the trainer writes through a prefixed store). */
export const TRIAL_SPEC = 'spec.json';
export const TRIAL_RESULT = 'result.json';
export const CHECKPOINTS = 'checkpoints';
export const CHECKPOINT_LATEST = `${CHECKPOINTS}/LATEST`;
/** Step numbers are zero-padded so that lexical and numeric order agree in listings. */
export const checkpointDir = (step: number): string => `${CHECKPOINTS}/${String(step).padStart(10, '0')}`;
export const checkpointStateKey = (step: number): string => `${checkpointDir(step)}/state.json`;
export const checkpointWeightsKey = (step: number): string => `${checkpointDir(step)}/weights.bin`;
/** The step a checkpoint key belongs to, or undefined for LATEST and foreign keys. */
export function checkpointStepOf(relKey: string): number | undefined {
  const m = /^checkpoints\/(\d{10})\//.exec(relKey);
  return m ? Number(m[1]) : undefined;
}
