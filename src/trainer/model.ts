/**
 * What the trainer needs from a model builder. The network maps NHWC images to logits (no
 * softmax); a second output, when present, is the auxiliary head's logits.
 */
import type * as tfc from '@tensorflow/tfjs';
import type { TF } from './backend.js';
import type { TrialSpec } from './spec.js';

export interface BuiltModel {
  model: tfc.LayersModel;
  params: number;
  multAdds?: number;
  /**
   * ScheduledDropPath hook: called before each training step with the fraction of training done
   * (0..1) so the builder can lower its keep probability linearly towards the spec's final value.
   */
  setProgress?(fraction: number): void;
  dispose?(): void;
}

export interface InputShape {
  height: number;
  width: number;
  channels: number;
}

/** Builds the network a spec describes; throws GenotypeError/BadSpecError on an invalid spec. */
export type ModelFactory = (tf: TF, spec: TrialSpec, input: InputShape) => BuiltModel | Promise<BuiltModel>;
