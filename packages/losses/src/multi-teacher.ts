import { assertInRange, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { SOFT_TARGETS, type SoftTarget } from './distillation-loss.js';
import {
  assertLogitsPair,
  assertReduction,
  assertTemperature,
  probabilityProbes,
  runProbes,
} from './internal/guards.js';
import type { LossEntry } from './internal/loss-entry.js';
import { parseLossOptions } from './internal/options.js';
import { reduceLoss } from './internal/reduce.js';
import { meanHardCrossEntropy, taskProbes } from './internal/task-terms.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import type { DistillationLoss, LossContext, Reduction } from './types.js';

export interface MultiTeacherOptions {
  /** Temperature T > 0. Default 4. */
  readonly temperature?: number;
  /** One non-negative weight per teacher (normalized to sum to 1). Default: equal weights. */
  readonly weights?: readonly number[];
  /** 'cross-entropy' (default) or 'kl' against the averaged teacher distribution. */
  readonly soft?: SoftTarget;
  /** 'mean' over the batch (default), 'sum', or 'none'. */
  readonly reduction?: Reduction;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

/** Validates the teacher list and weights; returns the normalized weights. */
function checkTeachers(
  where: string,
  teacherLogitsList: readonly tf.Tensor2D[],
  studentLogits: tf.Tensor2D,
  weights: readonly number[] | undefined,
): number[] {
  if (teacherLogitsList.length === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'teacherLogitsList' is empty; pass at least one teacher's logits.`,
    );
  }
  teacherLogitsList.forEach((t, k) => {
    assertLogitsPair(where, `teacherLogitsList[${k}]`, t, 'studentLogits', studentLogits);
  });
  const raw = weights ?? teacherLogitsList.map(() => 1);
  if (raw.length !== teacherLogitsList.length) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: 'weights' has ${raw.length} entries but there are ${teacherLogitsList.length} teachers.`,
    );
  }
  raw.forEach((w, k) => {
    assertInRange(where, `weights[${k}]`, w, 0, Number.MAX_VALUE);
  });
  const total = raw.reduce((a, b) => a + b, 0);
  if (!(total > 0)) {
    throw new KdkitError('OUT_OF_RANGE', `${where}: 'weights' must not all be 0.`);
  }
  return raw.map((w) => w / total);
}

/** Unchecked per-example soft loss against log p̄ = log Σ_k w_k p_k^T, shape [batch]. */
export function multiTeacherPerExample(
  teacherLogitsList: readonly tf.Tensor2D[],
  studentLogits: tf.Tensor2D,
  normalizedWeights: readonly number[],
  temperature: number,
  soft: SoftTarget,
): tf.Tensor1D {
  const weighted = teacherLogitsList.map((t, k) =>
    tf.add(logSoftmaxAt(t, temperature), Math.log(normalizedWeights[k] ?? 0)),
  );
  // Mixture of probabilities, in log space: log Σ_k exp(log w_k + log p_k).
  const logMixture = tf.logSumExp(tf.stack(weighted), 0) as tf.Tensor2D;
  const studentLogProbs = logSoftmaxAt(studentLogits, temperature);
  const mixture = tf.exp(logMixture);
  const perExample =
    soft === 'kl'
      ? tf.sum(tf.mul(mixture, tf.sub(logMixture, studentLogProbs)), 1)
      : tf.neg(tf.sum(tf.mul(mixture, studentLogProbs), 1));
  return perExample as tf.Tensor1D;
}

/**
 * Multi-teacher distillation: the soft target is the (weighted) average of the teachers'
 * **probabilities** at T, `p̄ = Σ_k w_k softmax(z_k / T)`, never an average of their logits.
 * Returns the soft cross-entropy `−Σ_i p̄_i log q_i^T` (or KL(p̄ ‖ q^T) with soft 'kl'),
 * not scaled by T². The mixture is formed in log space (log-sum-exp), so it is stable.
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param teacherLogitsList one float32 [batch, classes] tensor per teacher.
 * @param studentLogits float32 [batch, classes].
 * @param options temperature 4, weights equal, soft 'cross-entropy', reduction 'mean'.
 * @example
 * const soft = multiTeacherLoss([resnetLogits, vitLogits], studentLogits, { weights: [2, 1] });
 */
export function multiTeacherLoss(
  teacherLogitsList: readonly tf.Tensor2D[],
  studentLogits: tf.Tensor2D,
  options: MultiTeacherOptions = {},
): tf.Tensor {
  const where = 'multiTeacherLoss';
  const { temperature = 4, soft = 'cross-entropy', reduction = 'mean' } = options;
  const weights = checkTeachers(where, teacherLogitsList, studentLogits, options.weights);
  assertTemperature(where, temperature);
  assertReduction(where, reduction);
  runProbes(
    probabilityProbes(
      where,
      [
        ...teacherLogitsList.map((t, k) => [`teacherLogitsList[${k}]`, t] as const),
        ['studentLogits', studentLogits] as const,
      ],
      options.allowProbabilities,
    ),
  );
  return tf.tidy(() =>
    reduceLoss(
      multiTeacherPerExample(teacherLogitsList, studentLogits, weights, temperature, soft),
      reduction,
    ),
  );
}

function teachersOf(where: string, ctx: LossContext): readonly tf.Tensor2D[] {
  const list =
    ctx.teacherLogitsList ?? (ctx.teacherLogits === undefined ? [] : [ctx.teacherLogits]);
  if (list.length === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ctx.teacherLogitsList (or ctx.teacherLogits) is missing.`,
    );
  }
  return list;
}

/**
 * Registered 'multi-teacher': `total = alpha · T² · soft + (1 − alpha) · hard` with the soft
 * term against the teachers' averaged probabilities (ctx.teacherLogitsList).
 * Options temperature=4, alpha=0.9, soft, weights. Terms: `{ total, soft, hard }`.
 */
export function createMultiTeacherLoss(options?: Record<string, unknown>): DistillationLoss {
  const name = 'multi-teacher';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, {
    temperature: 'number',
    alpha: 'number',
    soft: SOFT_TARGETS,
    weights: 'numbers',
    allowProbabilities: 'boolean',
  });
  const { temperature = 4, alpha = 0.9, soft = 'cross-entropy' } = parsed;
  assertTemperature(where, temperature);
  assertInRange(where, 'alpha', alpha, 0, 1);
  const allowProbabilities = parsed.allowProbabilities ?? false;
  return {
    name,
    compute: (ctx) => {
      const teachers = teachersOf(where, ctx);
      const weights = checkTeachers(where, teachers, ctx.studentLogits, parsed.weights);
      runProbes([
        ...taskProbes(where, ctx, {
          ceWeight: 1 - alpha,
          kdWeight: 0,
          temperature,
          allowProbabilities,
        }),
        ...probabilityProbes(
          where,
          teachers.map((t, k) => [`teacherLogitsList[${k}]`, t] as const),
          allowProbabilities,
        ),
      ]);
      return tf.tidy(() => {
        const softTerm = tf.mean(
          multiTeacherPerExample(teachers, ctx.studentLogits, weights, temperature, soft),
        ) as tf.Scalar;
        const hard = meanHardCrossEntropy(ctx.labels, ctx.studentLogits);
        const total = tf.add(
          tf.mul(softTerm, alpha * temperature * temperature),
          tf.mul(hard, 1 - alpha),
        ) as tf.Scalar;
        return { total, soft: softTerm, hard };
      });
    },
  };
}

export const multiTeacherLossEntry: LossEntry = {
  name: 'multi-teacher',
  description:
    "Several teachers: soft targets are their averaged probabilities (optional weights); otherwise as 'hinton'.",
  factory: createMultiTeacherLoss,
};
