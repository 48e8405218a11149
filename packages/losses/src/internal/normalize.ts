import * as tf from '@tensorflow/tfjs-core';

// Squared-norm floor: keeps sqrt's gradient finite for an all-zero vector.
const NORM_FLOOR = 1e-24;

/** x / ‖x‖₂ along `axis`, finite (value and gradient) for an all-zero vector. */
export function l2Normalize<T extends tf.Tensor>(x: T, axis: number): T {
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(x), axis, true), NORM_FLOOR));
  return tf.div(x, norm) as T;
}

/** Flattens [batch, ...] to [batch, features]. */
export function flattenBatch(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0] ?? 0, -1]) as tf.Tensor2D;
}
