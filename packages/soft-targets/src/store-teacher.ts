import type { ImageDataset } from '@kdkit/datasets';
import { KdkitError } from '@kdkit/engine';
import { type Teacher, TeacherCache } from '@kdkit/trainers';
import type { SoftTargetStore } from './soft-target-store.js';

/** A soft-target store as a teacher: the {@link Teacher} and the cache that serves its logits. */
export interface StoreTeacher {
  /** Refuses `logits(xs)`: a store serves logits by dataset index, through `cache`. */
  readonly teacher: Teacher;
  /** Holds the store's logits of every training image; pass it as `teacherCache`. */
  readonly cache: TeacherCache;
}

/**
 * A soft-target store as a @kdkit/trainers teacher. The `Teacher` contract maps images to logits,
 * but a store holds logits by dataset index, so this checks the store against `train` (same size
 * and classes, ids 0…size−1 exactly once; before any step) and fills a `TeacherCache` with all of
 * them. `distill({ teacher, teacherCache: cache, … })` then never calls `teacher.logits`, which
 * throws if it is called (an augmented batch with `'auto'` caching, or another dataset).
 * Memory: 4 bytes × classes per training image.
 *
 * @example
 * const { teacher, cache } = await storeTeacher(await softTargetStore('stores/fmnist'), train);
 * await distill({ teacher, teacherCache: cache, student, train, epochs: 5, batchSize: 64 });
 */
export async function storeTeacher(
  store: SoftTargetStore,
  train: ImageDataset,
): Promise<StoreTeacher> {
  const cache = new TeacherCache(train.size, store.numClasses);
  await store.checkDataset(train);
  await store.fillCache(cache);
  const name = `${store.name} (soft-target store)`;
  return {
    cache,
    teacher: {
      name,
      numClasses: store.numClasses,
      inputShape: train.shape,
      layout: 'nhwc',
      logits: () => {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `storeTeacher: teacher '${name}' serves stored logits by dataset index only, through its cache; pass teacherCache: cache to distill and train without augmentation`,
        );
      },
    },
  };
}
