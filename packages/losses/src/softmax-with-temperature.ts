import * as tf from '@tensorflow/tfjs-core';
import {
  checkTemperatureArgs,
  logSoftmaxAt,
  type TemperatureOptions,
} from './log-softmax-with-temperature.js';

/**
 * Temperature softmax (Hinton et al. 2015): `p_i = exp(z_i/T) / Σ_j exp(z_j/T)`.
 * Computed as `exp(logSoftmax(z/T))`, so it is stable for |z| in the thousands and T from 0.05
 * to 100. Higher T gives softer distributions; T = 1 is the plain softmax.
 *
 * Inputs are **logits**, never probabilities: rows that are non-negative and sum to 1 are
 * rejected unless `allowProbabilities` is set.
 *
 * @param logits float32 [batch, classes].
 * @param options temperature T > 0 (default 1), allowProbabilities.
 * @returns float32 [batch, classes], each row summing to 1.
 * @example
 * softmaxWithTemperature(tf.tensor2d([[0, Math.log(3)]]), { temperature: 1 }); // [[0.25, 0.75]]
 */
export function softmaxWithTemperature(
  logits: tf.Tensor2D,
  options: TemperatureOptions = {},
): tf.Tensor2D {
  const temperature = checkTemperatureArgs('softmaxWithTemperature', logits, options);
  return tf.tidy(() => tf.exp(logSoftmaxAt(logits, temperature)));
}
