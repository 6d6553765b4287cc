/**
 * MBConv-chain networks (MnasNet: tensorflow/tpu `mnasnet_model.py`; PONAS: eric8607242/PONAS
 * `models/PONAS_*.py`), built from the stage grammar of `space/block-string.ts`.
 *
 * Stem: 3x3/2 conv, BN, activation. Each layer of a stage:
 * - `ir`/`ds`: [1x1 expand to in x e, BN, act] (skipped when e = 1) -> depthwise kxk (stride),
 *   BN, act -> [SE] -> 1x1 project, BN (linear).
 * - `cn`: kxk conv (stride), BN, act -> [SE].
 * - skip: identity residual when stride 1 and in == out; pooling skip adds a 3x3 average pool of
 *   the input (stride, plus 1x1 conv + BN when channels change); none adds nothing.
 * SE: global pool -> 1x1 conv (bias) -> ReLU -> 1x1 conv (bias) -> sigmoid -> scale. Its width
 * is `max(1, floor(in x ratio))` under MnasNet's rule and `max(floor(C / 4), 8)` of the expanded
 * channels C under PONAS's rule (reference `models[mnasnet-a1].mbconvNotes`, `models[ponas-a].se`).
 * Head: 1x1 conv, BN, act, global pool, dropout, dense.
 */
import { formatStage, type StageSpec } from '../space/block-string.js';
import type { Activation, Net } from './net.js';

export interface ChainMacro {
  /** Square input size in pixels. */
  inputSize: number;
  /** Input channels. Default: 3. */
  channels?: number;
  classes: number;
  /** Default: 32. */
  stemFilters?: number;
  /** Default: 1280. */
  headFilters?: number;
  /** Dropout rate before the classifier. Default: 0.2. */
  dropout?: number;
  /** Default: 'relu' (MnasNet); PONAS uses 'relu6'. */
  activation?: 'relu' | 'relu6';
  /** Default: 'input' (MnasNet); PONAS uses 'expanded'. */
  seRule?: 'input' | 'expanded';
  /**
   * Padding of the stem and of every kxk (depthwise) conv: 'same' (TensorFlow) or 'symmetric'
   * (PyTorch, as timm's `mnasnet_*`/`efficientnet_*` without the `tf_` prefix). Weights only,
   * so the parameter count does not depend on it. Default: 'same'.
   */
  padding?: 'same' | 'symmetric';
}

/** `trace`, when given, is called with a label and the output of the stem, every stage and the head conv. */
export function buildChainNetwork<T>(net: Net<T>, input: T, stages: readonly StageSpec[], m: ChainMacro, trace?: (label: string, x: T) => void): T {
  let x = chainStem(net, input, m);
  trace?.('stem', x);
  stages.forEach((stage, i) => {
    x = chainStage(net, x, stage, i, m);
    trace?.(`stage${i} ${formatStage(stage)}`, x);
  });
  return chainHead(net, x, m, trace);
}

/** The stem conv 3x3/2, BN, activation. Exported with `chainStage` and `chainHead` so a part can be built alone (latency profiling). */
export function chainStem<T>(net: Net<T>, input: T, m: ChainMacro): T {
  return net.scope('stem', () =>
    net.act(net.bn(net.conv(input, { filters: m.stemFilters ?? 32, kernel: [3, 3], stride: 2, padding: m.padding ?? 'same' })), m.activation ?? 'relu'),
  );
}

/** Stage `index` (its layers, the first with the stage's stride) on `x`. */
export function chainStage<T>(net: Net<T>, x: T, stage: StageSpec, index: number, m: ChainMacro): T {
  const args = { act: m.activation ?? 'relu', seRule: m.seRule ?? 'input', padding: m.padding ?? 'same' } as const;
  let y = x;
  for (let r = 0; r < stage.repeats; r++) {
    const layerIn = y;
    y = net.scope(`stage_${index}`, () => net.scope(`layer_${r}`, () => chainLayer(net, layerIn, stage, { ...args, stride: r === 0 ? stage.stride : 1 })));
  }
  return y;
}

/** The head: 1x1 conv, BN, activation, global pool, dropout, dense. */
export function chainHead<T>(net: Net<T>, features: T, m: ChainMacro, trace?: (label: string, x: T) => void): T {
  const act: Activation = m.activation ?? 'relu';
  return net.scope('head', () => {
    const h = net.act(net.bn(net.conv(features, { filters: m.headFilters ?? 1280, kernel: [1, 1] })), act);
    trace?.('head', h);
    let y = net.globalPool(h);
    const rate = m.dropout ?? 0.2;
    if (rate > 0) y = net.dropout(y, rate);
    return net.dense(y, m.classes);
  });
}

interface LayerArgs {
  stride: number;
  act: Activation;
  seRule: 'input' | 'expanded';
  padding: 'same' | 'symmetric';
}

function chainLayer<T>(net: Net<T>, x: T, s: StageSpec, { stride, act, seRule, padding }: LayerArgs): T {
  const cin = net.shape(x).c;
  let y: T;
  if (s.type === 'cn') {
    const c = net.scope('conv', () => net.act(net.bn(net.conv(x, { filters: s.out, kernel: [s.kernel, s.kernel], stride, padding })), act));
    y = s.se > 0 ? net.scope('se', () => squeezeExcite(net, c, seWidth(seRule, cin, net.shape(c).c, s.se))) : c;
  } else {
    let h = x;
    if (s.expansion !== 1) h = net.scope('expand', () => net.act(net.bn(net.conv(x, { filters: cin * s.expansion, kernel: [1, 1] })), act));
    const expanded = h;
    h = net.scope('dw', () => net.act(net.bn(net.depthwise(expanded, { kernel: s.kernel, stride, padding })), act));
    const dw = h;
    if (s.se > 0) h = net.scope('se', () => squeezeExcite(net, dw, seWidth(seRule, cin, net.shape(dw).c, s.se)));
    const excited = h;
    y = net.scope('project', () => net.bn(net.conv(excited, { filters: s.out, kernel: [1, 1] })));
  }
  if (s.skip === 'identity' && stride === 1 && cin === s.out) return net.add(y, x);
  if (s.skip === 'pool') {
    const p = net.scope('skip', () => {
      const pooled = net.pool(x, { type: 'avg', size: 3, stride });
      return cin === s.out ? pooled : net.bn(net.conv(pooled, { filters: s.out, kernel: [1, 1] }));
    });
    return net.add(y, p);
  }
  return y;
}

function seWidth(rule: 'input' | 'expanded', cin: number, channels: number, ratio: number): number {
  return rule === 'input' ? Math.max(1, Math.floor(cin * ratio)) : Math.max(Math.floor(channels / 4), 8);
}

function squeezeExcite<T>(net: Net<T>, x: T, width: number): T {
  const c = net.shape(x).c;
  let s = net.toMap(net.globalPool(x));
  s = net.act(net.conv(s, { filters: width, kernel: [1, 1], bias: true }), 'relu');
  s = net.act(net.conv(s, { filters: c, kernel: [1, 1], bias: true }), 'sigmoid');
  return net.mul(x, s);
}
