import { assertInteger, KdkitError, SeededRandom } from '@kdkit/engine';
import { groupByLabel, selectExamples, sortedIndices } from './select.js';
import type { ImageDataset } from './types.js';

/**
 * A dataset with exactly `n` labelled examples of each class, drawn reproducibly from `seed`
 * (default 0) and kept in their original order; unlabelled examples are left out. For
 * few-label experiments. A class with fewer than `n` examples throws `OUT_OF_RANGE`.
 *
 * @example
 * const tenPerClass = subsetPerClass(train, 10, 0); // 100 examples
 */
export function subsetPerClass(ds: ImageDataset, n: number, seed = 0): ImageDataset {
  const where = 'subsetPerClass';
  assertInteger(where, 'n', n, 1);
  const rng = new SeededRandom(seed);
  const groups = groupByLabel(ds).slice(0, ds.numClasses);
  const chosen: number[] = [];
  groups.forEach((group, c) => {
    if (group.length < n) {
      throw new KdkitError(
        'OUT_OF_RANGE',
        `${where}: class ${c} ('${ds.classNames[c]}') has ${group.length} examples in '${ds.name}', fewer than n = ${n}.`,
      );
    }
    chosen.push(...rng.fork(`class:${c}`).shuffle(group).slice(0, n));
  });
  return selectExamples(ds, sortedIndices(chosen), `${ds.name}:${n}-per-class`);
}
