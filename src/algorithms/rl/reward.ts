/**
 * Rewards for the RL controller. MnasNet (Tan et al. 2019, Sec. 3, Eq. 2):
 *
 *   reward = ACC(m) x [LAT(m) / T]^w,  w = alpha if LAT(m) <= T else beta
 *
 * Soft constraint: alpha = beta = -0.07 (slower models pay a smooth penalty, faster ones a small
 * bonus). Hard constraint: alpha = 0, beta = -1 (no bonus under the target, a steep penalty over).
 */
import { AlgorithmError } from '../types.js';

export type RewardSpec =
  | { readonly kind: 'accuracy' }
  | {
      readonly kind: 'mnasnet';
      /** Target cost T (same unit as the trial's cost, e.g. ms). */
      readonly target: number;
      /** Exponent when cost <= target. Default: -0.07 (soft). */
      readonly alpha?: number;
      /** Exponent when cost > target. Default: -0.07 (soft). */
      readonly beta?: number;
    };

export const SOFT_CONSTRAINT = { alpha: -0.07, beta: -0.07 } as const;
export const HARD_CONSTRAINT = { alpha: 0, beta: -1 } as const;

export function mnasnetReward(accuracy: number, cost: number, target: number, alpha = -0.07, beta = -0.07): number {
  if (!(target > 0)) throw new AlgorithmError('reward.target', `expected a positive number; received ${target}`);
  if (!(cost > 0)) throw new AlgorithmError('result.cost', `expected a positive cost for the MnasNet reward; received ${cost}`);
  const w = cost <= target ? alpha : beta;
  return accuracy * Math.pow(cost / target, w);
}

export function rewardOf(spec: RewardSpec, accuracy: number, cost: number | undefined): number {
  if (spec.kind === 'accuracy') return accuracy;
  if (cost === undefined) throw new AlgorithmError('result.cost', 'expected a cost: the MnasNet reward needs one for every succeeded trial');
  return mnasnetReward(accuracy, cost, spec.target, spec.alpha ?? SOFT_CONSTRAINT.alpha, spec.beta ?? SOFT_CONSTRAINT.beta);
}
