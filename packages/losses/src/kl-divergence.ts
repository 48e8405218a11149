import * as tf from '@tensorflow/tfjs-core';
import { reduceLoss } from './internal/reduce.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import { checkSoftLossArgs, type SoftLossOptions } from './soft-cross-entropy.js';
import type { LogitInputs } from './types.js';

/** Unchecked per-example KL(p^T ‖ q^T) = Σ_i p_i (log p_i − log q_i), shape [batch]. */
export function klDivergencePerExample(
  { student, teacher }: LogitInputs,
  temperature: number,
): tf.Tensor1D {
  const teacherLogProbs = logSoftmaxAt(teacher, temperature);
  const studentLogProbs = logSoftmaxAt(student, temperature);
  return tf.sum(tf.mul(tf.exp(teacherLogProbs), tf.sub(teacherLogProbs, studentLogProbs)), 1);
}

/**
 * Kullback-Leibler divergence KL(p^T ‖ q^T) = Σ_i p_i^T (log p_i^T − log q_i^T) between the
 * teacher's and the student's temperature softmax, in log space. 'mean' is the batch mean of
 * the per-example sums (PyTorch's `reduction='batchmean'`). Not scaled by T².
 *
 * It differs from `softCrossEntropy` by the teacher's entropy, a constant for the student, so
 * both have the same gradient `(q^T − p^T) / T`; KL is 0 when the two agree.
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param inputs `{ student, teacher }` logits, float32 [batch, classes].
 * @param options temperature (default 1), reduction ('mean' default, 'sum', 'none').
 * @example
 * const kl = klDivergence({ student, teacher }, { temperature: 4 });
 */
export function klDivergence(inputs: LogitInputs, options: SoftLossOptions = {}): tf.Tensor {
  const { temperature, reduction } = checkSoftLossArgs('klDivergence', inputs, options);
  return tf.tidy(() => reduceLoss(klDivergencePerExample(inputs, temperature), reduction));
}
