import { assertInRange } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import {
  assertLogitsPair,
  assertReduction,
  probabilityProbes,
  runProbes,
} from './internal/guards.js';
import type { LossEntry } from './internal/loss-entry.js';
import { parseLossOptions } from './internal/options.js';
import { reduceLoss } from './internal/reduce.js';
import { meanHardCrossEntropy, requireTeacherLogits, taskProbes } from './internal/task-terms.js';
import type { DistillationLoss, Reduction } from './types.js';

export interface MseLogitsOptions {
  /** 'mean' over the batch (default), 'sum', or 'none'. */
  readonly reduction?: Reduction;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

/** Unchecked per-example mean over classes of (z_s − z_t)², shape [batch]. */
export function mseLogitsPerExample(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
): tf.Tensor1D {
  return tf.mean(tf.squaredDifference(studentLogits, teacherLogits), 1) as tf.Tensor1D;
}

/**
 * Logit matching (Ba & Caruana 2014): the squared error between student and teacher logits,
 * `(1/C) Σ_i (z_s,i − z_t,i)²` per example. With the default 'mean' this equals the mean over
 * all elements (PyTorch's `F.mse_loss`). It is the T → ∞ limit of soft cross-entropy (up to
 * scale) and ignores the teacher's temperature.
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param teacherLogits float32 [batch, classes].
 * @param studentLogits float32 [batch, classes].
 * @example
 * const loss = mseLogitsLoss(teacherLogits, studentLogits); // scalar
 */
export function mseLogitsLoss(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  options: MseLogitsOptions = {},
): tf.Tensor {
  const where = 'mseLogitsLoss';
  const { reduction = 'mean' } = options;
  assertLogitsPair(where, 'teacherLogits', teacherLogits, 'studentLogits', studentLogits);
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
  return tf.tidy(() => reduceLoss(mseLogitsPerExample(teacherLogits, studentLogits), reduction));
}

/**
 * Registered 'mse': `total = alpha · mse + (1 − alpha) · hard`, hard CE on labelled examples.
 * Options alpha (default 0.9), allowProbabilities. Terms: `{ total, mse, hard }`.
 */
export function createMseLogitsLoss(options?: Record<string, unknown>): DistillationLoss {
  const name = 'mse';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, {
    alpha: 'number',
    allowProbabilities: 'boolean',
  });
  const alpha = parsed.alpha ?? 0.9;
  assertInRange(where, 'alpha', alpha, 0, 1);
  const weights = {
    ceWeight: 1 - alpha,
    kdWeight: 0,
    temperature: 1,
    allowProbabilities: parsed.allowProbabilities ?? false,
  };
  return {
    name,
    compute: (ctx) => {
      const teacherLogits = requireTeacherLogits(where, ctx);
      assertLogitsPair(where, 'teacherLogits', teacherLogits, 'studentLogits', ctx.studentLogits);
      runProbes([
        ...taskProbes(where, ctx, weights),
        ...probabilityProbes(where, [['teacherLogits', teacherLogits]], weights.allowProbabilities),
      ]);
      return tf.tidy(() => {
        const mse = tf.mean(mseLogitsPerExample(teacherLogits, ctx.studentLogits)) as tf.Scalar;
        const hard = meanHardCrossEntropy(ctx.labels, ctx.studentLogits);
        const total = tf.add(tf.mul(mse, alpha), tf.mul(hard, 1 - alpha)) as tf.Scalar;
        return { total, mse, hard };
      });
    },
  };
}

export const mseLogitsLossEntry: LossEntry = {
  name: 'mse',
  description:
    'Logit matching (Ba & Caruana): alpha·MSE(student logits, teacher logits) + (1 − alpha)·hard CE; option alpha=0.9.',
  factory: createMseLogitsLoss,
};
