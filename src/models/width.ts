/**
 * Width multipliers for MBConv chains, by timm's rule (`_gen_mnasnet_b1(channel_multiplier)`,
 * `round_channels` -> `make_divisible(c x m, 8, round_limit=0.9)`): the stem and every stage's
 * output channels are scaled and rounded to a multiple of 8 (at least 8, and never more than 10%
 * below c x m); the 1280-wide head conv is not scaled. So `mnasnet-b1` at width 0.5 is timm's
 * `mnasnet_050`, and any width builds the network whose weights timm's generator makes at that
 * multiplier.
 */
import type { NetworkDef } from './build.js';

/** timm `make_divisible(v, divisor, min_value=divisor, round_limit)`. */
export function makeDivisible(v: number, divisor = 8, roundLimit = 0.9): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < roundLimit * v) out += divisor;
  return out;
}

/** A chain network at width `multiplier` (1 returns it unchanged); cell networks are refused. */
export function scaleChainWidth(def: NetworkDef, multiplier: number): NetworkDef {
  if (!(multiplier > 0 && Number.isFinite(multiplier))) throw new Error(`width: expected a positive number, received ${multiplier}`);
  if (multiplier === 1) return def;
  if (def.kind !== 'chain') {
    throw new Error('width: only MBConv-chain models (mnasnet-*, ponas-*) have a width multiplier; cell models (nasnet-*, pnasnet-*) take N and F instead');
  }
  const round = (c: number) => makeDivisible(c * multiplier);
  return {
    kind: 'chain',
    stages: def.stages.map((s) => ({ ...s, out: round(s.out) })),
    macro: { ...def.macro, stemFilters: round(def.macro.stemFilters ?? 32) },
  };
}
