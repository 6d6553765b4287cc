/**
 * The two controller searches as registry entries (src/algorithms/definition.ts): NASNet's
 * accuracy reward and MnasNet's multi-objective reward share the LSTM controller and its settings.
 */
import { z } from 'zod';
import { defineAlgorithm } from '../definition.js';
import type { ControllerArgs } from './controller-args.js';
import { HARD_CONSTRAINT, SOFT_CONSTRAINT } from './reward.js';
import { NB201_LATENCY_DEVICES } from '../../space/nb201-devices.js';

export const NASNET_RL = 'nasnet-rl';
export const MNASNET_RL = 'mnasnet-rl';

const controller = {
  hidden: z.number().int().min(1).max(1024).optional().describe('LSTM units of the controller. Default: 100 (NASNet).'),
  lr: z.number().gt(0).max(1).optional().describe('Controller learning rate. Default: 0.00035 (NASNet).'),
  batchSize: z.number().int().min(1).max(1000).optional().describe('Architectures sampled per controller update. Default: 20 (NASNet).'),
  method: z.enum(['ppo', 'reinforce']).optional().describe('Policy-gradient form: ppo or reinforce. Default: ppo.'),
  entropy: z.number().min(0).optional().describe('Entropy bonus weight. Default: 0.00001.'),
  baselineDecay: z.number().min(0).lt(1).optional().describe('Decay of the exponential moving average reward baseline, in [0, 1). Default: 0.95.'),
};

const costTarget = z
  .object({
    metric: z.enum(['latency', 'flops', 'params']).describe('Which cost the target constrains: latency (ms), flops (MFLOPs) or params (M).'),
    target: z.number().gt(0).describe("Target T in the metric's unit."),
    constraint: z
      .enum(['soft', 'hard'])
      .default('soft')
      .describe('soft: w = -0.07 on both sides of T; hard: only networks over T are penalised (MnasNet Sec. 3). Default: soft.'),
    device: z
      .enum(NB201_LATENCY_DEVICES)
      .optional()
      .describe(
        'With the NAS-Bench-201 evaluator and metric latency: the device whose measured latencies (data/benchmarks/nb201-hwlatency.json) price each cell, e.g. pixel3, raspi4, fpga. Trained trials measure latency on their own device instead.',
      ),
  })
  .strict()
  .describe('The cost target of the multi-objective reward.');

export const nasnetRlAlgorithm = defineAlgorithm({
  name: NASNET_RL,
  specKey: 'nasnetRL',
  method: 'LSTM controller trained by policy gradient (PPO or REINFORCE), reward = validation accuracy',
  reference: 'Zoph et al. 2018',
  settings: z
    .object(controller)
    .strict()
    .describe('NASNet (Zoph et al. 2018): an LSTM controller trained by policy gradient with validation accuracy as the reward.'),
  argsFrom: (s): ControllerArgs => s,
  load: async () => (await import('./implementations.js')).nasnetRl,
});

export const mnasnetRlAlgorithm = defineAlgorithm({
  name: MNASNET_RL,
  specKey: 'mnasnetRL',
  method: 'the same controller, reward = ACC x (COST/T)^w for a latency, FLOPs or parameter target',
  reference: 'Tan et al. 2019',
  settings: z
    .object({ ...controller, cost: costTarget })
    .strict()
    .describe('MnasNet (Tan et al. 2019): the same controller with reward ACC x (COST/T)^w for a cost target.'),
  argsFrom: ({ cost, ...rest }): ControllerArgs => ({
    ...rest,
    reward: { kind: 'mnasnet', target: cost.target, ...(cost.constraint === 'hard' ? HARD_CONSTRAINT : SOFT_CONSTRAINT) },
  }),
  load: async () => (await import('./implementations.js')).mnasnetRl,
});
