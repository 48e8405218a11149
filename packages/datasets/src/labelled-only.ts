import { selectExamples } from './select.js';
import type { ImageDataset } from './types.js';

/**
 * The labelled examples of a dataset (label ≠ −1), images copied, in their original order: in the
 * few-label regime, the training set of a student that sees no soft targets.
 *
 * @example
 * const few = maskLabels(train, { fraction: 0.1, seed: 1 });
 * labelledOnly(few).size; // about 10% of train.size
 */
export function labelledOnly(ds: ImageDataset): ImageDataset {
  const keep: number[] = [];
  ds.labels.forEach((label, i) => {
    if (label >= 0) keep.push(i);
  });
  return selectExamples(ds, Int32Array.from(keep), `${ds.name}:labelled`);
}
