/**
 * The PONAS one-shot supernet (Huang & Chu 2020, Sec. 3): the PONAS skeleton in which every
 * searchable layer holds all its candidate MBConv blocks (expansion x kernel x SE). A forward
 * pass takes one candidate index per layer (a single path, as in uniform single-path sampling,
 * Guo et al. 2020) and computes only that path, so a step costs one child network.
 *
 * Written with raw tfjs ops over named variables rather than tf.layers because the path changes
 * every batch. Batch norm always normalises with the current batch's statistics (training and
 * evaluation alike): running statistics shared by 12 candidates would describe none of them,
 * and one-shot methods recalibrate BN per path for the same reason. Weights are initialised
 * from the trial's Rng (He-normal), so the same seed gives the same supernet in every process.
 */
import type * as tfc from '@tensorflow/tfjs';
import type { Rng } from '../../common/rng.js';
import { at } from '../../common/indexing.js';
import { PONAS_CANDIDATES, PONAS_SKELETON, type PonasLayer } from '../../space/ponas.js';
import type { TF } from '../backend.js';

export interface SupernetArgs {
  classes: number;
  /** Scales every channel count of the PONAS skeleton (min 4 channels). */
  widthMultiplier: number;
  /** How many of the 19 searchable layers to keep (the first ones). */
  layers: number;
  /** Candidate indices into PONAS_CANDIDATES that every layer holds. */
  candidates: readonly number[];
  /** Stem stride: 2 as in PONAS for 224 px, 1 for small CIFAR-size inputs. */
  stemStride: number;
}

interface Conv {
  w: tfc.Variable;
  b?: tfc.Variable;
}
interface Bn {
  gamma: tfc.Variable;
  beta: tfc.Variable;
}
interface Block {
  cand: PonasLayer;
  stride: number;
  residual: boolean;
  expand?: { conv: Conv; bn: Bn };
  dw: { conv: Conv; bn: Bn };
  se?: { reduce: Conv; expand: Conv };
  project: { conv: Conv; bn: Bn };
}

const width = (c: number, m: number): number => Math.max(4, Math.round(c * m));

export class PonasSupernet {
  /** Every variable, in a fixed order (checkpoint order). */
  readonly variables: { name: string; variable: tfc.Variable }[] = [];
  private readonly stem: { conv: Conv; bn: Bn };
  /** blocks[layer][k] is candidate args.candidates[k] of that layer. */
  private readonly blocks: Block[][];
  private readonly head: { conv: Conv; bn: Bn; dense: Conv };

  constructor(
    private readonly tf: TF,
    readonly args: SupernetArgs,
    rng: Rng,
  ) {
    const m = args.widthMultiplier;
    const stemOut = width(32, m);
    this.stem = { conv: this.conv('stem', [3, 3, 3, stemOut], rng), bn: this.bn('stem', stemOut) };
    let cin = stemOut;
    this.blocks = PONAS_SKELETON.slice(0, args.layers).map((layer, l) => {
      const cout = width(layer.out, m);
      const row = args.candidates.map((ci) => this.block(`l${l}/c${ci}`, at(PONAS_CANDIDATES, ci, 'ponas candidate'), cin, cout, layer.stride, rng));
      cin = cout;
      return row;
    });
    const headOut = width(1280, m / 4);
    this.head = {
      conv: this.conv('head', [1, 1, cin, headOut], rng),
      bn: this.bn('head', headOut),
      dense: { w: this.variable('head/dense/w', he(tf, [headOut, args.classes], headOut, rng)), b: this.variable('head/dense/b', tf.zeros([args.classes])) },
    };
  }

  /** Logits for a batch along one path (`path[l]` indexes `args.candidates`). */
  forward(x: tfc.Tensor4D, path: readonly number[]): tfc.Tensor2D {
    const tf = this.tf;
    if (path.length !== this.blocks.length) throw new Error(`path: expected ${this.blocks.length} choices, received ${path.length}`);
    let h = this.convBnAct(x, this.stem.conv, this.stem.bn, this.args.stemStride);
    path.forEach((k, l) => {
      const row = this.blocks[l]!; // path has one choice per row, checked above
      const block = row[k];
      if (!block) throw new Error(`path[${l}]: expected a candidate slot 0..${row.length - 1}, received ${k}`);
      h = this.runBlock(block, h);
    });
    h = this.convBnAct(h, this.head.conv, this.head.bn, 1);
    const pooled = tf.mean(h, [1, 2]) as tfc.Tensor2D;
    return tf.add(tf.matMul(pooled, this.head.dense.w as tfc.Tensor2D), this.head.dense.b as tfc.Tensor) as tfc.Tensor2D;
  }

  /** The variables a path uses (the stem, the head and one block per layer). */
  pathVariables(path: readonly number[]): tfc.Variable[] {
    const used = new Set<string>(['stem/', 'head/']);
    path.forEach((k, l) => used.add(`l${l}/c${this.args.candidates[k]}/`));
    return this.variables.filter((v) => [...used].some((p) => v.name.startsWith(p))).map((v) => v.variable);
  }

  get layerCount(): number {
    return this.blocks.length;
  }

  dispose(): void {
    this.variables.forEach((v) => v.variable.dispose());
  }

  private runBlock(b: Block, x: tfc.Tensor4D): tfc.Tensor4D {
    const tf = this.tf;
    let h = x;
    if (b.expand) h = this.convBnAct(h, b.expand.conv, b.expand.bn, 1);
    h = relu6(tf, this.bnorm(tf.depthwiseConv2d(h, b.dw.conv.w as tfc.Tensor4D, b.stride, 'same'), b.dw.bn));
    if (b.se) {
      const s = tf.mean(h, [1, 2], true) as tfc.Tensor4D;
      const r = tf.relu(tf.add(tf.conv2d(s, b.se.reduce.w as tfc.Tensor4D, 1, 'same'), b.se.reduce.b as tfc.Tensor));
      const g = tf.sigmoid(tf.add(tf.conv2d(r as tfc.Tensor4D, b.se.expand.w as tfc.Tensor4D, 1, 'same'), b.se.expand.b as tfc.Tensor));
      h = tf.mul(h, g) as tfc.Tensor4D;
    }
    const y = this.bnorm(tf.conv2d(h, b.project.conv.w as tfc.Tensor4D, 1, 'same'), b.project.bn);
    return b.residual ? (tf.add(y, x) as tfc.Tensor4D) : y;
  }

  private convBnAct(x: tfc.Tensor4D, conv: Conv, bn: Bn, stride: number): tfc.Tensor4D {
    return relu6(this.tf, this.bnorm(this.tf.conv2d(x, conv.w as tfc.Tensor4D, stride, 'same'), bn));
  }

  private bnorm(x: tfc.Tensor4D, bn: Bn): tfc.Tensor4D {
    const { mean, variance } = this.tf.moments(x, [0, 1, 2]);
    return this.tf.batchNorm(x, mean, variance, bn.beta, bn.gamma, 1e-3) as tfc.Tensor4D;
  }

  private block(name: string, cand: PonasLayer, cin: number, cout: number, stride: number, rng: Rng): Block {
    const c = cin * cand.expansion;
    const block: Block = {
      cand,
      stride,
      residual: stride === 1 && cin === cout,
      dw: { conv: { w: this.variable(`${name}/dw/w`, he(this.tf, [cand.kernel, cand.kernel, c, 1], cand.kernel ** 2, rng)) }, bn: this.bn(`${name}/dw`, c) },
      project: { conv: this.conv(`${name}/project`, [1, 1, c, cout], rng), bn: this.bn(`${name}/project`, cout) },
    };
    // Every PONAS candidate expands (e = 3 or 6).
    block.expand = { conv: this.conv(`${name}/expand`, [1, 1, cin, c], rng), bn: this.bn(`${name}/expand`, c) };
    if (cand.se) {
      const w = Math.max(Math.floor(c / 4), 8); // PONAS's SE rule: a quarter of the expanded width, at least 8
      block.se = {
        reduce: { ...this.conv(`${name}/se/reduce`, [1, 1, c, w], rng), b: this.variable(`${name}/se/reduce/b`, this.tf.zeros([w])) },
        expand: { ...this.conv(`${name}/se/expand`, [1, 1, w, c], rng), b: this.variable(`${name}/se/expand/b`, this.tf.zeros([c])) },
      };
    }
    return block;
  }

  private conv(name: string, shape: [number, number, number, number], rng: Rng): Conv {
    return { w: this.variable(`${name}/w`, he(this.tf, shape, shape[0] * shape[1] * shape[2], rng)) };
  }

  private bn(name: string, c: number): Bn {
    return { gamma: this.variable(`${name}/bn/gamma`, this.tf.ones([c])), beta: this.variable(`${name}/bn/beta`, this.tf.zeros([c])) };
  }

  private variable(name: string, init: tfc.Tensor): tfc.Variable {
    const v = this.tf.variable(init, true);
    init.dispose();
    this.variables.push({ name, variable: v });
    return v;
  }
}

function relu6(tf: TF, x: tfc.Tensor4D): tfc.Tensor4D {
  return tf.clipByValue(x, 0, 6);
}

/** He-normal initial values drawn from `rng` (std sqrt(2 / fanIn)). */
function he(tf: TF, shape: number[], fanIn: number, rng: Rng): tfc.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal() * std),
    shape,
  );
}
