import * as tf from '@tensorflow/tfjs-core';
import {
  assertLogitsPair,
  assertReduction,
  assertTemperature,
  probabilityProbes,
  runProbes,
} from './internal/guards.js';
import { reduceLoss } from './internal/reduce.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import type { Reduction } from './types.js';

export interface SoftLossOptions {
  /** Softmax temperature T > 0. Default 1. */
  readonly temperature?: number;
  /** 'mean' over the batch (default), 'sum', or 'none' (one value per example). */
  readonly reduction?: Reduction;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

/** Unchecked per-example −Σ_i p_i^T log q_i^T, shape [batch]. */
export function softCrossEntropyPerExample(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  temperature: number,
): tf.Tensor1D {
  const teacherProbs = tf.exp(logSoftmaxAt(teacherLogits, temperature));
  const studentLogProbs = logSoftmaxAt(studentLogits, temperature);
  return tf.neg(tf.sum(tf.mul(teacherProbs, studentLogProbs), 1)) as tf.Tensor1D;
}

/** Validates a teacher/student logits pair and the soft-loss options, with one data read. */
export function checkSoftLossArgs(
  where: string,
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  options: SoftLossOptions,
): { temperature: number; reduction: Reduction } {
  const { temperature = 1, reduction = 'mean' } = options;
  assertLogitsPair(where, 'teacherLogits', teacherLogits, 'studentLogits', studentLogits);
  assertTemperature(where, temperature);
  assertReduction(where, reduction);
  runProbes(
    probabilityProbes(
      where,
      [
        ['teacherLogits', teacherLogits],
        ['studentLogits', studentLogits],
      ],
      options.allowProbabilities,
    ),
  );
  return { temperature, reduction };
}

/**
 * Soft-target cross-entropy (Hinton et al. 2015): `−Σ_i p_i^T · log q_i^T`, where p^T and q^T
 * are the teacher's and the student's softmax at temperature T. Computed in log space.
 *
 * It is **not** scaled by T² (`distillationLoss` does that). Its gradient with respect to the
 * student logits is `(q^T − p^T) / T` per example.
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param teacherLogits float32 [batch, classes].
 * @param studentLogits float32 [batch, classes].
 * @param options temperature (default 1), reduction ('mean' default, 'sum', 'none').
 * @returns a scalar, or [batch] with reduction 'none'.
 * @example
 * const loss = softCrossEntropy(teacherLogits, studentLogits, { temperature: 4 });
 */
export function softCrossEntropy(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  options: SoftLossOptions = {},
): tf.Tensor {
  const { temperature, reduction } = checkSoftLossArgs(
    'softCrossEntropy',
    teacherLogits,
    studentLogits,
    options,
  );
  return tf.tidy(() =>
    reduceLoss(softCrossEntropyPerExample(teacherLogits, studentLogits, temperature), reduction),
  );
}
