import { batches, type ImageDataset } from '@kdkit/datasets';
import { isTeacher, layersTeacher, type Teacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

const cache = new WeakMap<object, WeakMap<ImageDataset, ImageDataset>>();

/**
 * `data` relabelled with the teacher's predicted classes, computed once per (teacher, dataset).
 * A student's accuracy on it is its agreement with the teacher, so a sweep pays the teacher's
 * forward pass over the test set once instead of once per evaluation. The teacher is a tfjs
 * LayersModel or any {@link Teacher} (an ONNX model, a pretrained teacher).
 */
export async function teacherLabelled(
  teacher: tfl.LayersModel | Teacher,
  data: ImageDataset,
): Promise<ImageDataset> {
  const known = cache.get(teacher)?.get(data);
  if (known) return known;
  const asTeacher = isTeacher(teacher) ? teacher : layersTeacher(teacher);
  const labels = new Int32Array(data.size);
  for (const batch of batches(data, { batchSize: 256, shuffle: false })) {
    const logits = await asTeacher.logits(batch.xs);
    const predicted = tf.argMax(logits, 1);
    const classes = await predicted.data();
    batch.indices.forEach((index, row) => {
      labels[index] = classes[row] ?? -1;
    });
    tf.dispose([logits, predicted, batch.xs, batch.labels]);
  }
  const relabelled: ImageDataset = { ...data, name: `${data.name}:teacher-labels`, labels };
  const perTeacher = cache.get(teacher) ?? new WeakMap<ImageDataset, ImageDataset>();
  perTeacher.set(data, relabelled);
  cache.set(teacher, perTeacher);
  return relabelled;
}
