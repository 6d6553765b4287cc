/**
 * The compact stage grammar for MBConv-chain networks (MnasNet, PONAS), after timm's
 * `_efficientnet_builder` block strings. One stage = `repeats` layers of one block type; the first
 * layer has the stage's stride and changes the channel count, the rest are stride 1.
 *
 *   stage  := type "_r" repeats "_k" kernel "_s" stride ["_e" expansion] "_c" out ["_se" ratio] [skip]
 *   type   := "ir"  mobile inverted bottleneck (MBConv): [1x1 expand] -> dw kxk -> [SE] -> 1x1 project
 *           | "ds"  depthwise-separable (MBConv without expansion): dw kxk -> [SE] -> 1x1 project
 *           | "cn"  regular kxk convolution -> BN -> activation -> [SE]
 *   skip   := (absent) identity residual where stride is 1 and in == out
 *           | "_nsk" no skip | "_psk" pooling skip (3x3 avg pool with the layer's stride, plus a
 *             1x1 conv + BN when channels change, added to the layer output)
 *
 * Example: `ir_r2_k3_s2_e6_c24_se0.25` = two MBConv6 3x3 layers, the first with stride 2, 24 output
 * channels, squeeze-and-excitation ratio 0.25.
 */
import { GenotypeError } from './types.js';

export type StageType = 'ir' | 'ds' | 'cn';
export type SkipType = 'identity' | 'pool' | 'none';

export interface StageSpec {
  readonly type: StageType;
  readonly repeats: number;
  readonly kernel: number;
  readonly stride: number;
  /** Expansion ratio of `ir` stages (1 for `ds` and `cn`). */
  readonly expansion: number;
  readonly out: number;
  /** Squeeze-and-excitation ratio; 0 = no SE. How the ratio becomes a width is the network's rule. */
  readonly se: number;
  readonly skip: SkipType;
}

export function formatStage(s: StageSpec): string {
  let text = `${s.type}_r${s.repeats}_k${s.kernel}_s${s.stride}`;
  if (s.type === 'ir') text += `_e${s.expansion}`;
  text += `_c${s.out}`;
  if (s.se > 0) text += `_se${s.se}`;
  if (s.skip === 'none') text += '_nsk';
  if (s.skip === 'pool') text += '_psk';
  return text;
}

const FIELD = /^(r|k|s|e|c|se)(\d+(?:\.\d+)?)$/;

/** Parses one stage string; `field` names it in errors. */
export function parseStage(text: string, field = 'stage'): StageSpec {
  const parts = text.split('_');
  const type = parts[0];
  if (type !== 'ir' && type !== 'ds' && type !== 'cn') {
    throw new GenotypeError(field, `expected a stage type ir, ds or cn; received ${JSON.stringify(type)} in ${JSON.stringify(text)}`);
  }
  const values: Record<string, number> = {};
  let skip: SkipType = 'identity';
  for (const part of parts.slice(1)) {
    if (part === 'nsk') skip = 'none';
    else if (part === 'psk') skip = 'pool';
    else {
      const m = FIELD.exec(part);
      if (!m)
        throw new GenotypeError(
          field,
          `unknown stage option ${JSON.stringify(part)} in ${JSON.stringify(text)}; expected r<n>, k<n>, s<n>, e<n>, c<n>, se<ratio>, nsk or psk`,
        );
      values[m[1]!] = Number(m[2]);
    }
  }
  const required = (key: 'r' | 'k' | 's' | 'c'): number => {
    const v = values[key];
    if (v === undefined || !Number.isInteger(v) || v < 1) {
      throw new GenotypeError(`${field}.${key}`, `expected a positive integer ${key}<n> in ${JSON.stringify(text)}; received ${v ?? 'nothing'}`);
    }
    return v;
  };
  const [repeats, kernel, stride, out] = [required('r'), required('k'), required('s'), required('c')];
  const expansion = type === 'ir' ? (values.e ?? 1) : 1;
  if (!Number.isInteger(expansion) || expansion < 1) throw new GenotypeError(`${field}.e`, `expected a positive integer expansion; received ${expansion}`);
  const se = values.se ?? 0;
  if (!(se >= 0 && se <= 1)) throw new GenotypeError(`${field}.se`, `expected a ratio in [0, 1]; received ${se}`);
  return { type, repeats, kernel, stride, expansion, out, se, skip };
}
