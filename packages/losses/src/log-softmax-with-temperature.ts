import * as tf from '@tensorflow/tfjs-core';
import {
  assertLogits,
  assertTemperature,
  probabilityProbes,
  runProbes,
} from './internal/guards.js';
import { type OptionSpec, parseLossOptions } from './internal/options.js';

export interface TemperatureOptions {
  /** Softmax temperature T > 0. Default 1 (the plain softmax). */
  readonly temperature?: number;
  /** Skip the "looks like probabilities" check (only if your logits really are ≥ 0 and sum to 1). */
  readonly allowProbabilities?: boolean;
}

const TEMPERATURE_OPTIONS: OptionSpec<TemperatureOptions> = {
  temperature: 'number',
  allowProbabilities: 'boolean',
};

/** Unchecked log-softmax of z / T along the class axis. */
export function logSoftmaxAt(logits: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.logSoftmax(temperature === 1 ? logits : (tf.div(logits, temperature) as tf.Tensor2D));
}

/** Checks one logits tensor and its {@link TemperatureOptions}; returns T. */
export function checkTemperatureArgs(
  where: string,
  logits: tf.Tensor2D,
  options: TemperatureOptions,
): number {
  const { temperature = 1, allowProbabilities } = parseLossOptions(
    where,
    options,
    TEMPERATURE_OPTIONS,
  );
  assertLogits(where, 'logits', logits);
  assertTemperature(where, temperature);
  runProbes(probabilityProbes(where, [['logits', logits]], allowProbabilities));
  return temperature;
}

/**
 * Log of the temperature softmax: `log p_i = z_i/T − log Σ_j exp(z_j/T)`, computed stably
 * (max-shifted), so it is finite for |z| in the thousands and T from 0.05 to 100.
 *
 * Inputs are **logits** (pre-softmax scores), never probabilities: a tensor whose rows are
 * non-negative and sum to 1 is rejected unless `allowProbabilities` is set.
 *
 * @param logits float32 [batch, classes].
 * @param options temperature T > 0 (default 1), allowProbabilities.
 * @returns float32 [batch, classes] log-probabilities.
 * @example
 * const logP = logSoftmaxWithTemperature(tf.tensor2d([[1, 2, 3]]), { temperature: 4 });
 */
export function logSoftmaxWithTemperature(
  logits: tf.Tensor2D,
  options: TemperatureOptions = {},
): tf.Tensor2D {
  const temperature = checkTemperatureArgs('logSoftmaxWithTemperature', logits, options);
  return tf.tidy(() => logSoftmaxAt(logits, temperature));
}
