import { isKdkitError, KdkitError } from '@kdkit/engine';
import {
  openSoftTargetStore,
  type SoftTargetStore,
  type SoftTargetStoreOptions,
} from '../soft-target-store.js';
import { fileSource } from './file-source.js';

export { fileSource } from './file-source.js';
export { sha256File } from './files.js';
export { mergeStore } from './merge-store.js';
export { type WriteShardOptions, type WriteShardResult, writeShard } from './write-shard.js';

/**
 * Opens the soft-target store in folder `dir` (after `mergeStore`), streaming its shards from
 * disk. Use it as an offline teacher: `await store.fillCache(cache)` or `store.lookup(indices)`.
 *
 * @example
 * const store = await softTargetStore('stores/fmnist');
 * const cache = new TeacherCache(train.size, train.numClasses);
 * await store.fillCache(cache); // checks the ids against the dataset first
 * await distill({ teacher: anyModelOfTheRightShape, teacherCache: cache, student, train, … });
 */
export async function softTargetStore(
  dir: string,
  options: SoftTargetStoreOptions = {},
): Promise<SoftTargetStore> {
  try {
    return await openSoftTargetStore(fileSource(dir), options);
  } catch (error) {
    if (!isKdkitError(error, 'FILE_NOT_FOUND')) throw error;
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `softTargetStore: ${dir} has no manifest.json. If its shards are written, run 'kdkit soft-targets merge ${dir}' (or mergeStore) first`,
      { cause: error },
    );
  }
}
