import { assertInRange, KdkitError, SeededRandom } from '@kdkit/engine';
import { groupByLabel, selectExamples, sortedIndices } from './select.js';
import type { ImageDataset } from './types.js';

export interface TrainValSplitOptions {
  /** Fraction of examples held out for validation, in (0, 1). */
  readonly valFraction: number;
  /** Default 0. */
  readonly seed?: number;
  /** Hold out round(valFraction · n_c) of each class c (unlabelled examples form a group). Default true. */
  readonly stratified?: boolean;
}

/**
 * Splits `ds` into train and validation sets, reproducibly from `seed`. Both keep the original
 * order of their examples and copy their images.
 *
 * @example
 * const { train, val } = trainValSplit(full, { valFraction: 0.1, seed: 0 });
 */
export function trainValSplit(
  ds: ImageDataset,
  options: TrainValSplitOptions,
): { train: ImageDataset; val: ImageDataset } {
  const where = 'trainValSplit';
  assertInRange(where, 'valFraction', options.valFraction, Number.MIN_VALUE, 1 - Number.EPSILON);
  const rng = new SeededRandom(options.seed ?? 0);
  const groups =
    options.stratified === false ? [Array.from(ds.labels, (_, i) => i)] : groupByLabel(ds);
  const val: number[] = [];
  const train: number[] = [];
  groups.forEach((group, g) => {
    rng.fork(`group:${g}`).shuffle(group);
    const take = Math.round(group.length * options.valFraction);
    val.push(...group.slice(0, take));
    train.push(...group.slice(take));
  });
  if (val.length === 0 || train.length === 0) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: valFraction ${options.valFraction} of ${ds.size} examples leaves ${train.length} for train and ${val.length} for validation; both must be non-empty.`,
    );
  }
  return {
    train: selectExamples(ds, sortedIndices(train), `${ds.name}:train`),
    val: selectExamples(ds, sortedIndices(val), `${ds.name}:val`),
  };
}
