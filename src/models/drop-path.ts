/**
 * ScheduledDropPath (Zoph et al. 2018 Sec. 4; TF-slim `NasNetABaseCell._apply_drop_path`,
 * `drop_connect_version='v3'`): during training each example's branch output is zeroed with
 * probability 1 - keep and the survivors are divided by keep, where
 *
 *   keep_cell = 1 - (cellIndex + 1) / totalCells * (1 - keepProb)      (deeper cells drop more)
 *   keep      = 1 - min(1, progress) * (1 - keep_cell)                 (drop more as training goes)
 *
 * and progress = step / total steps, set by the trainer with `setDropPathProgress`. At inference
 * the layer is the identity. The layer has no weights; it is registered with tfjs serialization
 * so `tf.loadLayersModel` rebuilds it (call `registerDropPath(tf)` before loading).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { DropPathArgs } from './net.js';
import { at } from '../common/indexing.js';

type Tf = typeof tfjs;

/** Keep probability for a cell at a training progress in [0, 1]. */
export function dropPathKeep(a: DropPathArgs, progress: number): number {
  const keepCell = 1 - ((a.cellIndex + 1) / a.totalCells) * (1 - a.keepProb);
  return 1 - Math.min(1, Math.max(0, progress)) * (1 - keepCell);
}

export const DROP_PATH_CLASS = 'ScheduledDropPath';

interface DropPathLayer extends tfjs.layers.Layer {
  progress: number;
  readonly args: DropPathArgs;
}

type DropPathCtor = new (args: DropPathArgs & { name?: string }) => DropPathLayer;

const classes = new WeakMap<Tf, DropPathCtor>();

/** Defines (once per tfjs instance) and registers the layer class; returns its constructor. */
export function registerDropPath(tf: Tf): DropPathCtor {
  const existing = classes.get(tf);
  if (existing) return existing;
  class ScheduledDropPath extends tf.layers.Layer {
    static className = DROP_PATH_CLASS;
    /** Training progress in [0, 1]; 0 until the trainer sets it. */
    progress = 0;
    readonly args: DropPathArgs;

    constructor(config: DropPathArgs & { name?: string }) {
      super({ name: config.name });
      for (const key of ['keepProb', 'cellIndex', 'totalCells'] as const) {
        if (typeof config[key] !== 'number' || !Number.isFinite(config[key])) {
          throw new Error(`ScheduledDropPath ${key}: expected a finite number; received ${JSON.stringify(config[key])}`);
        }
      }
      if (!(config.keepProb > 0 && config.keepProb <= 1)) throw new Error(`ScheduledDropPath keepProb: expected (0, 1]; received ${config.keepProb}`);
      this.args = { keepProb: config.keepProb, cellIndex: config.cellIndex, totalCells: config.totalCells };
    }

    override call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: Record<string, unknown>): tfjs.Tensor {
      const x = Array.isArray(inputs) ? at(inputs, 0, 'ScheduledDropPath input') : inputs;
      const keep = dropPathKeep(this.args, this.progress);
      if (kwargs.training !== true || keep >= 1) return x;
      return tf.tidy(() => {
        const mask = tf.floor(tf.add(keep, tf.randomUniform([x.shape[0] ?? 1, 1, 1, 1])));
        return tf.mul(tf.div(x, keep), mask);
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), ...this.args };
    }
  }
  tf.serialization.registerClass(ScheduledDropPath);
  classes.set(tf, ScheduledDropPath);
  return ScheduledDropPath;
}

export function dropPathLayer(tf: Tf, a: DropPathArgs, name?: string): DropPathLayer {
  return new (registerDropPath(tf))(name === undefined ? a : { ...a, name });
}

/** Sets the training progress (step / total steps) on every drop-path layer of a model. */
export function setDropPathProgress(model: tfjs.LayersModel, progress: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === DROP_PATH_CLASS) (layer as DropPathLayer).progress = progress;
  }
}
