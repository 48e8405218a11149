import { assertInteger, KdkitError, SeededRandom } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import {
  augmentationKey,
  resolveAugment,
  type SampleAugmentation,
  sampleAugmentation,
  writeExample,
} from './augment.js';
import type { Batch, BatchOptions, ImageDataset } from './types.js';

function checkBatchOptions(where: string, options: BatchOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new KdkitError('INVALID_ARGUMENT', `${where}: expected options { batchSize, … }.`);
  }
  assertInteger(where, 'batchSize', options.batchSize, 1);
  assertInteger(where, 'seed', options.seed ?? 0, 0);
  assertInteger(where, 'epoch', options.epoch ?? 0, 0);
}

/**
 * The number of batches {@link batches} yields for `ds`:
 * ⌊size / batchSize⌋ with `dropRemainder`, else ⌈size / batchSize⌉.
 *
 * @example
 * countBatches(ds, { batchSize: 128 }); // 469 for 60,000 examples
 */
export function countBatches(ds: ImageDataset, options: BatchOptions): number {
  checkBatchOptions('countBatches', options);
  const full = Math.floor(ds.size / options.batchSize);
  return options.dropRemainder === true || ds.size % options.batchSize === 0 ? full : full + 1;
}

/**
 * Iterates over one epoch of `ds` in batches.
 *
 * - Order: with `shuffle` (default true) a permutation drawn from (seed, epoch), so the same
 *   seed and epoch give the same order; else dataset order.
 * - Each batch is copied out of the dataset on demand (one batch at a time) into fresh tensors
 *   that belong to the consumer, who disposes them (advancing the iterator inside `tf.tidy`
 *   would let the tidy dispose them): `xs` float32 `[n, h, w, c]` (normalized
 *   when the dataset has `normalization`), `labels` int32 `[n]` (−1 = unlabelled) and
 *   `indices`, the dataset positions of the rows (the key of a teacher cache).
 * - `augment` (default: the dataset's `defaultAugment`, none for MNIST-style sets): zero-pad by
 *   `cropPadding` and crop back at a random offset, and/or flip left-right with probability
 *   ½, and/or erase a random rectangle with probability `erase`. Each example's transform depends only on (seed, epoch, index); augmented batches carry
 *   `augmentationKey`. With `augment.views: V` epoch e reuses the transforms of view e mod V
 *   (so epochs e and e + V see the same pixels; the order is still drawn per epoch).
 *
 * @example
 * for (const { xs, labels, indices } of batches(train, { batchSize: 128, seed: 1, epoch })) {
 *   // … train on xs, labels …
 *   tf.dispose([xs, labels]);
 * }
 */
export function batches(
  ds: ImageDataset,
  options: BatchOptions,
): Generator<Batch, void, undefined> {
  const where = 'batches';
  checkBatchOptions(where, options);
  const augment = resolveAugment(where, ds, options.augment);
  const seed = options.seed ?? 0;
  const epoch = options.epoch ?? 0;
  const root = new SeededRandom(seed);
  let order: Int32Array;
  if (options.shuffle === false) {
    order = new Int32Array(ds.size);
    for (let i = 0; i < ds.size; i++) order[i] = i;
  } else {
    order = root.fork(`order:${epoch}`).permutation(ds.size);
  }
  const augmentBase = root.fork('augment');
  return generate(ds, {
    order,
    batchSize: options.batchSize,
    dropRemainder: options.dropRemainder === true,
    padding: augment?.cropPadding ?? 0,
    transformOf: (index) =>
      augment === undefined
        ? undefined
        : sampleAugmentation(augmentBase, epoch, index, augment, [ds.shape[0], ds.shape[1]]),
    ...(augment === undefined ? {} : { key: augmentationKey(seed, epoch, augment) }),
  });
}

interface EpochPlan {
  readonly order: Int32Array;
  readonly batchSize: number;
  readonly dropRemainder: boolean;
  /** Crop padding, 0 when not cropping. */
  readonly padding: number;
  readonly transformOf: (index: number) => SampleAugmentation | undefined;
  readonly key?: string;
}

function* generate(ds: ImageDataset, plan: EpochPlan): Generator<Batch, void, undefined> {
  const { order, batchSize, dropRemainder, padding, transformOf, key } = plan;
  const [h, w, c] = ds.shape;
  const perImage = h * w * c;
  for (let start = 0; start < order.length; start += batchSize) {
    const count = Math.min(batchSize, order.length - start);
    if (count < batchSize && dropRemainder) return;
    const indices = order.slice(start, start + count);
    const pixels = new Float32Array(count * perImage);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const index = indices[i] as number;
      writeExample(ds, index, pixels, i * perImage, transformOf(index), padding);
      labels[i] = ds.labels[index] as number;
    }
    const batch: Batch = {
      xs: tf.tensor4d(pixels, [count, h, w, c], 'float32'),
      labels: tf.tensor1d(labels, 'int32'),
      indices,
      ...(key === undefined ? {} : { augmentationKey: key }),
    };
    yield batch;
  }
}
