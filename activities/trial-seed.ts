/** A per-trial seed derived from the search seed and the trial id (deterministic, 32-bit). */
export function trialSeed(seed: number, trialId: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < trialId.length; i++) h = Math.imul(h ^ trialId.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
