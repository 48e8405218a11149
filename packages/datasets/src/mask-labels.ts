import { assertInRange, SeededRandom } from '@kdkit/engine';
import { groupByLabel } from './select.js';
import type { ImageDataset } from './types.js';

export interface MaskLabelsOptions {
  /** Fraction of labels kept, in (0, 1]. */
  readonly fraction: number;
  /** Default 0. */
  readonly seed?: number;
  /** Keep round(fraction · n_c) labels of each class c, at least 1. Default true. */
  readonly stratified?: boolean;
}

/**
 * The few-label regime: the same images (shared, not copied) with all but a `fraction` of the
 * labels replaced by −1 (unlabelled). Unlabelled examples still get the teacher's soft targets.
 * The kept labels are drawn reproducibly from `seed`. Already unlabelled examples stay so.
 *
 * @example
 * const fewLabels = maskLabels(train, { fraction: 0.01, seed: 0 }); // 1% labelled
 */
export function maskLabels(ds: ImageDataset, options: MaskLabelsOptions): ImageDataset {
  assertInRange('maskLabels', 'fraction', options.fraction, Number.MIN_VALUE, 1);
  const rng = new SeededRandom(options.seed ?? 0);
  const labelled = groupByLabel(ds).slice(0, ds.numClasses);
  const groups = options.stratified === false ? [labelled.flat()] : labelled;
  const labels = new Int32Array(ds.size).fill(-1);
  groups.forEach((group, g) => {
    if (group.length === 0) return;
    const keep = Math.max(1, Math.round(group.length * options.fraction));
    for (const i of rng.fork(`group:${g}`).shuffle(group).slice(0, keep)) {
      labels[i] = ds.labels[i] as number;
    }
  });
  return { ...ds, name: `${ds.name}:labels-${options.fraction}`, labels };
}
