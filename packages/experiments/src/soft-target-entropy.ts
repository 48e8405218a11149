import { batches, type ImageDataset } from '@kdkit/datasets';
import { assertPositive } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Mean entropy (nats) of the teacher's soft targets softmax(z / T) over `data`:
 * (1/N)·Σ_n −Σ_k p_nk·ln p_nk, computed in log space (log-softmax) from the teacher's logits in
 * inference mode. The strength a matched label-smoothing baseline copies. Takes logits, never
 * probabilities: `teacher` must output logits.
 *
 * @example
 * const h = meanSoftTargetEntropy(teacher, train, 4);
 * const epsilon = matchedLabelSmoothing(h, train.numClasses);
 */
export function meanSoftTargetEntropy(
  teacher: tfl.LayersModel,
  data: ImageDataset,
  temperature: number,
): number {
  assertPositive('meanSoftTargetEntropy', 'temperature', temperature);
  let sum = 0;
  for (const batch of batches(data, { batchSize: 256, shuffle: false })) {
    const total = tf.tidy(() => {
      const out = teacher.apply(batch.xs, { training: false });
      const logits = (Array.isArray(out) ? out[0] : out) as tf.Tensor2D;
      const logP = tf.logSoftmax(tf.div(logits, temperature));
      return tf.neg(tf.sum(tf.mul(tf.exp(logP), logP)));
    });
    sum += total.dataSync()[0] ?? 0;
    tf.dispose([total, batch.xs, batch.labels]);
  }
  return sum / data.size;
}
