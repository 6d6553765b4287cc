/**
 * Reads a CIFAR-10-format dataset from an object-store prefix (local directory or S3) and splits
 * it into train / validation (the last `valFraction` of the training files, as the NASNet paper
 * holds out the last 5k of CIFAR-10's 50k) and an optional test split.
 */
import { isObjectNotFound, type ObjectStore } from '../store/object-store.js';
import { TEST_FILE, TRAIN_FILE, concatSets, decodeRecords, sliceSet, type ImageSet } from './cifar-format.js';
import { UnusableDataError } from './errors.js';

export interface DatasetSplits {
  train: ImageSet;
  val: ImageSet;
  test?: ImageSet;
}

export interface SplitArgs {
  classes: number;
  valFraction: number;
  /** Cap on training images (0 = all). */
  maxTrainSamples: number;
}

/** Loads and splits; throws {@link UnusableDataError} naming `uri` when the data cannot be used. */
export async function loadCifarDataset(store: ObjectStore, uri: string, args: SplitArgs): Promise<DatasetSplits> {
  let keys: string[];
  try {
    keys = await store.list('');
  } catch (err) {
    // A missing bucket is a wrong URI, not an outage; anything else (network) stays retryable.
    if ((err as { name?: string }).name === 'NoSuchBucket') throw new UnusableDataError(uri, 'bucket does not exist');
    throw err;
  }
  const trainKeys = keys.filter((k) => TRAIN_FILE.test(k)).sort((a, b) => Number(TRAIN_FILE.exec(a)?.[1]) - Number(TRAIN_FILE.exec(b)?.[1]));
  if (trainKeys.length === 0) {
    throw new UnusableDataError(
      uri,
      `expected CIFAR-10 binary files data_batch_<n>.bin, found ${keys.length === 0 ? 'no objects' : keys.slice(0, 5).join(', ')}`,
    );
  }
  const read = async (key: string): Promise<ImageSet> => {
    let bytes: Uint8Array;
    try {
      bytes = await store.get(key);
    } catch (err) {
      if (isObjectNotFound(err)) throw new UnusableDataError(uri, `${key} disappeared while reading`);
      throw err;
    }
    const set = decodeRecords(bytes, (msg) => new UnusableDataError(uri, `${key}: ${msg}`));
    const bad = set.labels.findIndex((l) => l >= args.classes);
    if (bad >= 0) {
      throw new UnusableDataError(uri, `${key} record ${bad}: label ${set.labels[bad]} is out of range for macro.classes=${args.classes}`);
    }
    return set;
  };
  const all = concatSets(await Promise.all(trainKeys.map(read)));
  const valCount = Math.max(1, Math.round(all.count * args.valFraction));
  if (all.count - valCount < 1) throw new UnusableDataError(uri, `${all.count} training images leave none after the validation split`);
  let trainEnd = all.count - valCount;
  if (args.maxTrainSamples > 0) trainEnd = Math.min(trainEnd, args.maxTrainSamples);
  const splits: DatasetSplits = { train: sliceSet(all, 0, trainEnd), val: sliceSet(all, all.count - valCount, all.count) };
  if (keys.includes(TEST_FILE)) splits.test = await read(TEST_FILE);
  return splits;
}
