/** Arguments of the RL controller search, their defaults (NASNet App. A) and validation. */
import { AlgorithmError } from '../types.js';
import type { RewardSpec } from './reward.js';
import type { LatencyTable } from './latency-table.js';

export interface ControllerArgs {
  /** LSTM units. Default: 100 (NASNet). */
  hidden?: number;
  /** Adam learning rate. Default: 0.00035 (NASNet). */
  lr?: number;
  /** Architectures per controller update. Default: 20 (NASNet). */
  batchSize?: number;
  /** Policy-gradient form. Default: `ppo` (NASNet); `reinforce` for plain REINFORCE. */
  method?: 'ppo' | 'reinforce';
  /** PPO optimisation epochs per batch. Default: 4. */
  ppoEpochs?: number;
  /** PPO clip range epsilon. Default: 0.2. */
  clip?: number;
  /** Entropy bonus weight. Default: 0.00001 (NASNet's entropy penalty). */
  entropy?: number;
  /** EMA decay of the reward baseline. Default: 0.95 (NASNet). */
  baselineDecay?: number;
  /** Controller samples tried before falling back to a uniform unseen sample. Default: 50. */
  attempts?: number;
  /** Feed already-known rewards of re-sampled architectures to the controller. Default: true. */
  learnFromDuplicates?: boolean;
  /** The reward. Default: `{ kind: 'accuracy' }`. */
  reward?: RewardSpec;
  /** Per-op latency lookup table pricing trials that report no cost. Default: none. */
  latencyTable?: LatencyTable | null;
}

export type ControllerConfig = Required<ControllerArgs>;

export function resolveControllerArgs(args: ControllerArgs): ControllerConfig {
  return {
    hidden: args.hidden ?? 100,
    lr: args.lr ?? 0.00035,
    batchSize: args.batchSize ?? 20,
    method: args.method ?? 'ppo',
    ppoEpochs: args.ppoEpochs ?? 4,
    clip: args.clip ?? 0.2,
    entropy: args.entropy ?? 0.00001,
    baselineDecay: args.baselineDecay ?? 0.95,
    attempts: args.attempts ?? 50,
    learnFromDuplicates: args.learnFromDuplicates ?? true,
    reward: args.reward ?? { kind: 'accuracy' },
    latencyTable: args.latencyTable ?? null,
  };
}

export function checkControllerArgs(c: ControllerConfig): void {
  const positiveInts: (keyof ControllerConfig)[] = ['hidden', 'batchSize', 'ppoEpochs', 'attempts'];
  for (const k of positiveInts) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1) throw new AlgorithmError(`controller.${k}`, `expected a positive integer; received ${v}`);
  }
  if (!(c.lr > 0)) throw new AlgorithmError('controller.lr', `expected a positive number; received ${c.lr}`);
  if (!(c.clip > 0 && c.clip < 1)) throw new AlgorithmError('controller.clip', `expected a number in (0, 1); received ${c.clip}`);
  if (!(c.baselineDecay >= 0 && c.baselineDecay < 1)) {
    throw new AlgorithmError('controller.baselineDecay', `expected a number in [0, 1); received ${c.baselineDecay}`);
  }
  if (c.method !== 'ppo' && c.method !== 'reinforce') {
    throw new AlgorithmError('controller.method', `expected ppo or reinforce; received ${String(c.method)}`);
  }
  if (c.reward.kind === 'mnasnet' && !(c.reward.target > 0)) {
    throw new AlgorithmError('controller.reward.target', `expected a positive target cost; received ${c.reward.target}`);
  }
}
