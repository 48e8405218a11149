import { batches, type ImageDataset } from '@kdkit/datasets';
import { assertPositive } from '@kdkit/engine';
import { isTeacher, layersTeacher, type Teacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Mean entropy (nats) of the teacher's soft targets softmax(z / T) over `data`:
 * (1/N)·Σ_n −Σ_k p_nk·ln p_nk, computed in log space (log-softmax) from the teacher's logits in
 * inference mode. The strength a matched label-smoothing baseline copies. Takes logits, never
 * probabilities: `teacher` (a tfjs LayersModel or any {@link Teacher}) must output logits.
 *
 * @example
 * const h = await meanSoftTargetEntropy(teacher, train, 4);
 * const epsilon = matchedLabelSmoothing(h, train.numClasses);
 */
export async function meanSoftTargetEntropy(
  teacher: tfl.LayersModel | Teacher,
  data: ImageDataset,
  temperature: number,
): Promise<number> {
  assertPositive('meanSoftTargetEntropy', 'temperature', temperature);
  const asTeacher = isTeacher(teacher) ? teacher : layersTeacher(teacher);
  let sum = 0;
  for (const batch of batches(data, { batchSize: 256, shuffle: false })) {
    const logits = await asTeacher.logits(batch.xs);
    const total = tf.tidy(() => {
      const logP = tf.logSoftmax(tf.div(logits, temperature));
      return tf.neg(tf.sum(tf.mul(tf.exp(logP), logP)));
    });
    sum += (await total.data())[0] ?? 0;
    tf.dispose([logits, total, batch.xs, batch.labels]);
  }
  return sum / data.size;
}
