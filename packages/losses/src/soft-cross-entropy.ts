import * as tf from '@tensorflow/tfjs-core';
import {
  assertReduction,
  assertTemperature,
  REDUCTIONS,
  runProbes,
  teacherStudentProbes,
} from './internal/guards.js';
import { assertInputs } from './internal/inputs.js';
import { type OptionSpec, parseLossOptions } from './internal/options.js';
import { reduceLoss } from './internal/reduce.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import type { LogitInputs, Reduction } from './types.js';

export interface SoftLossOptions {
  /** Softmax temperature T > 0. Default 1. */
  readonly temperature?: number;
  /** 'mean' over the batch (default), 'sum', or 'none' (one value per example). */
  readonly reduction?: Reduction;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

const SOFT_LOSS_OPTIONS: OptionSpec<SoftLossOptions> = {
  temperature: 'number',
  reduction: REDUCTIONS,
  allowProbabilities: 'boolean',
};

/** Unchecked per-example −Σ_i p_i^T log q_i^T, shape [batch]. */
export function softCrossEntropyPerExample(
  { student, teacher }: LogitInputs,
  temperature: number,
): tf.Tensor1D {
  const teacherProbs = tf.exp(logSoftmaxAt(teacher, temperature));
  const studentLogProbs = logSoftmaxAt(student, temperature);
  return tf.neg(tf.sum(tf.mul(teacherProbs, studentLogProbs), 1)) as tf.Tensor1D;
}

/** Validates `{ student, teacher }` logits and the soft-loss options, with one data read. */
export function checkSoftLossArgs(
  where: string,
  inputs: LogitInputs,
  options: SoftLossOptions,
): { temperature: number; reduction: Reduction } {
  assertInputs(where, inputs, ['student', 'teacher']);
  const {
    temperature = 1,
    reduction = 'mean',
    allowProbabilities,
  } = parseLossOptions(where, options, SOFT_LOSS_OPTIONS);
  const probes = teacherStudentProbes(where, inputs, allowProbabilities);
  assertTemperature(where, temperature);
  assertReduction(where, reduction);
  runProbes(probes);
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
 * @param inputs `{ student, teacher }` logits, float32 [batch, classes].
 * @param options temperature (default 1), reduction ('mean' default, 'sum', 'none').
 * @returns a scalar, or [batch] with reduction 'none'.
 * @example
 * const loss = softCrossEntropy({ student, teacher }, { temperature: 4 });
 */
export function softCrossEntropy(inputs: LogitInputs, options: SoftLossOptions = {}): tf.Tensor {
  const { temperature, reduction } = checkSoftLossArgs('softCrossEntropy', inputs, options);
  return tf.tidy(() => reduceLoss(softCrossEntropyPerExample(inputs, temperature), reduction));
}
