/**
 * Learning rate as a function of the global step: linear warm-up from 0 over `warmupEpochs`,
 * then cosine decay to `min` over the remaining steps (NASNet/PNAS CIFAR recipes), or
 * exponential decay by `decayRate` every `decayEpochs` (MnasNet recipe, staircase-free).
 */
import type { TrialRecipe } from './spec.js';

export function learningRate(lr: TrialRecipe['lr'], step: number, stepsPerEpoch: number, epochs: number): number {
  const total = stepsPerEpoch * epochs;
  const warm = Math.min(total, Math.round(lr.warmupEpochs * stepsPerEpoch));
  if (step < warm) return (lr.initial * (step + 1)) / warm;
  const t = step - warm;
  if (lr.schedule === 'exponential') {
    return Math.max(lr.min, lr.initial * lr.decayRate ** (t / (lr.decayEpochs * stepsPerEpoch)));
  }
  const span = Math.max(1, total - warm);
  return lr.min + 0.5 * (lr.initial - lr.min) * (1 + Math.cos((Math.PI * Math.min(t, span)) / span));
}
