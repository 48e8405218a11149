import { batches, type ImageDataset } from '@kdkit/datasets';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

const cache = new WeakMap<tfl.LayersModel, WeakMap<ImageDataset, ImageDataset>>();

/**
 * `data` relabelled with the teacher's predicted classes, computed once per (teacher, dataset).
 * A student's accuracy on it is its agreement with the teacher, so a sweep pays the teacher's
 * forward pass over the test set once instead of once per evaluation.
 */
export function teacherLabelled(teacher: tfl.LayersModel, data: ImageDataset): ImageDataset {
  const known = cache.get(teacher)?.get(data);
  if (known) return known;
  const labels = new Int32Array(data.size);
  for (const batch of batches(data, { batchSize: 256, shuffle: false })) {
    const predicted = tf.tidy(() => {
      const out = teacher.apply(batch.xs, { training: false });
      const logits = (Array.isArray(out) ? out[0] : out) as tf.Tensor2D;
      return tf.argMax(logits, 1);
    });
    const classes = predicted.dataSync();
    batch.indices.forEach((index, row) => {
      labels[index] = classes[row] ?? -1;
    });
    tf.dispose([predicted, batch.xs, batch.labels]);
  }
  const relabelled: ImageDataset = { ...data, name: `${data.name}:teacher-labels`, labels };
  const perTeacher = cache.get(teacher) ?? new WeakMap<ImageDataset, ImageDataset>();
  perTeacher.set(data, relabelled);
  cache.set(teacher, perTeacher);
  return relabelled;
}
