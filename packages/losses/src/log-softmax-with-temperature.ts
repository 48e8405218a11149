import * as tf from '@tensorflow/tfjs-core';
import {
  assertLogits,
  assertTemperature,
  probabilityProbes,
  runProbes,
} from './internal/guards.js';

export interface TemperatureOptions {
  /** Skip the "looks like probabilities" check (only if your logits really are ≥ 0 and sum to 1). */
  readonly allowProbabilities?: boolean;
}

/** Unchecked log-softmax of z / T along the class axis. */
export function logSoftmaxAt(logits: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.logSoftmax(temperature === 1 ? logits : (tf.div(logits, temperature) as tf.Tensor2D));
}

/**
 * Log of the temperature softmax: `log p_i = z_i/T − log Σ_j exp(z_j/T)`, computed stably
 * (max-shifted), so it is finite for |z| in the thousands and T from 0.05 to 100.
 *
 * Inputs are **logits** (pre-softmax scores), never probabilities: a tensor whose rows are
 * non-negative and sum to 1 is rejected unless `allowProbabilities` is set.
 *
 * @param logits float32 [batch, classes].
 * @param temperature T > 0. Default 1.
 * @returns float32 [batch, classes] log-probabilities.
 * @example
 * const logP = logSoftmaxWithTemperature(tf.tensor2d([[1, 2, 3]]), 4);
 */
export function logSoftmaxWithTemperature(
  logits: tf.Tensor2D,
  temperature = 1,
  options: TemperatureOptions = {},
): tf.Tensor2D {
  const where = 'logSoftmaxWithTemperature';
  assertLogits(where, 'logits', logits);
  assertTemperature(where, temperature);
  runProbes(probabilityProbes(where, [['logits', logits]], options.allowProbabilities));
  return tf.tidy(() => logSoftmaxAt(logits, temperature));
}
