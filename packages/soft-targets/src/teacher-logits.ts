import { batches, type ImageDataset } from '@kdkit/datasets';
import { assertInteger, KdkitError } from '@kdkit/engine';
import type { Teacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type { LogitRows } from './shard-writer.js';

/**
 * What a store needs of a teacher: images in, raw logits out. Any @kdkit/trainers `Teacher` (a
 * tfjs model through `layersTeacher`, an ONNX model, a pretrained teacher). The returned tensor is
 * the caller's; it is disposed after reading.
 */
export type LogitsTeacher = Pick<Teacher, 'name' | 'logits'>;

/**
 * The teacher's raw logits for dataset ids `[start, end)`, in id order, `batchSize` images at a
 * time (no shuffling, no augmentation; the dataset's normalization applies as in training).
 * Every tensor it makes is disposed before the next batch.
 *
 * @example
 * for await (const { ids, logits } of teacherLogits(teacher, train, { start: 0, end: 512, batchSize: 128 })) …
 */
export async function* teacherLogits(
  teacher: LogitsTeacher,
  dataset: ImageDataset,
  options: { readonly start: number; readonly end: number; readonly batchSize: number },
): AsyncGenerator<LogitRows, void, undefined> {
  const where = 'teacherLogits';
  const { start, end, batchSize } = options;
  assertInteger(where, 'batchSize', batchSize, 1);
  assertInteger(where, 'start', start, 0);
  assertInteger(where, 'end', end, start);
  if (end > dataset.size) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: ids [${start}, ${end}) exceed the dataset '${dataset.name}' of ${dataset.size} samples`,
    );
  }
  if (end === start) return;
  const pixels = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
  // A view of the range: batches() then applies the dataset's normalization as in training.
  const range: ImageDataset = {
    ...dataset,
    images: dataset.images.subarray(start * pixels, end * pixels),
    labels: dataset.labels.subarray(start, end),
    size: end - start,
  };
  for (const batch of batches(range, { batchSize, shuffle: false, augment: false })) {
    let logits: tf.Tensor2D | undefined;
    try {
      logits = await teacher.logits(batch.xs);
      const rows = batch.indices.length;
      if (logits.rank !== 2 || logits.shape[0] !== rows) {
        throw new KdkitError(
          'SHAPE_MISMATCH',
          `${where}: teacher '${teacher.name}' returned logits of shape [${logits.shape.join(', ')}] for ${rows} images; expected [${rows}, classes]`,
        );
      }
      yield {
        ids: Int32Array.from(batch.indices, (i) => i + start),
        logits: Float32Array.from(await logits.data()),
      };
    } finally {
      tf.dispose([batch.xs, batch.labels]);
      if (logits && !logits.isDisposed) logits.dispose();
    }
  }
}
