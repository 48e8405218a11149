import * as tf from '@tensorflow/tfjs-core';
import type { Reduction } from '../types.js';

/**
 * Reduces a per-example loss [batch]: 'mean' divides by `count` (default: the batch size),
 * 'sum' adds, 'none' returns the vector unchanged.
 */
export function reduceLoss(
  perExample: tf.Tensor1D,
  reduction: Reduction,
  count?: tf.Scalar,
): tf.Tensor {
  if (reduction === 'none') return perExample;
  const total = tf.sum(perExample);
  if (reduction === 'sum') return total;
  if (count === undefined) return tf.div(total, Math.max(perExample.shape[0], 1));
  return tf.div(total, tf.maximum(count, 1));
}
