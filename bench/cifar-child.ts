/** The trial spec of the CIFAR-10 NASNet-A search child (N=2, F=16, 32x32) that the trainer benchmarks train. */
import { NASNET_A } from '../src/space/index.js';
import { parseTrialSpec, type TrialSpec } from '../src/trainer/spec.js';

/** One epoch of exactly the timed steps, recipe defaults otherwise (augmentation pad 4 + crop + flip); no mid-epoch checkpoint. */
export function cifarChildSpec(batch: number): TrialSpec {
  return parseTrialSpec({
    schemaVersion: 1,
    space: 'nasnet',
    genotype: NASNET_A,
    macro: { classes: 10 },
    recipe: { epochs: 1, batchSize: batch, imageSize: 32, checkpointEverySteps: 100_000, augment: { padCrop: 4, flip: true, cutout: 0 } },
    seed: 0,
  });
}
