/** A well-formed trained trial result for tests of what reads results (reports, rankings). */
import type { TrainedResult } from '../../src/api/trial-result.js';

export function trainedResult(valAccuracy: number, over: Partial<TrainedResult> = {}): TrainedResult {
  return {
    schemaVersion: 2,
    kind: 'trained',
    space: 'nasnet',
    trainingHash: 'h',
    valAccuracy,
    valLoss: 1,
    epochs: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy, lr: 0.1, imagesPerSecond: 10 }],
    finalTrainLoss: 1,
    params: 1e6,
    steps: 10,
    wallSeconds: 30,
    imagesPerSecond: 10,
    backend: 'cpu',
    backendPackage: 'cpu',
    resumedFrom: null,
    trainSamples: 10,
    valSamples: 10,
    imageSize: 8,
    seed: 0,
    ...over,
  };
}
