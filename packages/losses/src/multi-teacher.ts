import { assertInRange, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { KD_DEFAULTS } from './defaults.js';
import { SOFT_TARGETS, type SoftTarget } from './distillation-loss.js';
import {
  assertLogitsPair,
  assertReduction,
  assertTemperature,
  probabilityProbes,
  REDUCTIONS,
  runProbes,
} from './internal/guards.js';
import { assertContext, assertInputs } from './internal/inputs.js';
import type { LossEntry } from './internal/loss-entry.js';
import {
  factoryWhere,
  type OptionSpec,
  omitOptions,
  parseLossOptions,
} from './internal/options.js';
import { reduceLoss } from './internal/reduce.js';
import { meanHardCrossEntropy, taskProbes } from './internal/task-terms.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import type { DistillationLoss, LossContext, Reduction } from './types.js';

/** Several teachers' logits and the student's, all float32 [batch, classes]. */
export interface MultiTeacherInputs {
  readonly student: tf.Tensor2D;
  /** One tensor per teacher (at least one). */
  readonly teachers: readonly tf.Tensor2D[];
}

export interface MultiTeacherOptions {
  /** Temperature T > 0. Default KD_DEFAULTS.temperature (4). */
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

const MULTI_TEACHER_OPTIONS: OptionSpec<MultiTeacherOptions> = {
  temperature: 'number',
  weights: 'numbers',
  soft: SOFT_TARGETS,
  reduction: REDUCTIONS,
  allowProbabilities: 'boolean',
};

/** Options of the registered 'multi-teacher' loss: {@link MultiTeacherOptions} plus alpha. */
export interface MultiTeacherLossOptions extends Omit<MultiTeacherOptions, 'reduction'> {
  /** Weight in [0, 1] of the soft term. Default KD_DEFAULTS.alpha (0.9). */
  readonly alpha?: number;
}

const MULTI_TEACHER_LOSS_OPTIONS: OptionSpec<MultiTeacherLossOptions> = {
  ...omitOptions(MULTI_TEACHER_OPTIONS, ['reduction']),
  alpha: 'number',
};

/** Validates the teacher list and weights; returns the normalized weights. */
function checkTeachers(
  where: string,
  { student, teachers }: MultiTeacherInputs,
  weights: readonly number[] | undefined,
): number[] {
  if (!Array.isArray(teachers) || teachers.length === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'teachers' must be a non-empty list of teacher logits.`,
    );
  }
  teachers.forEach((t, k) => {
    assertLogitsPair(where, `teachers[${k}]`, t, 'student', student);
  });
  const raw = weights ?? teachers.map(() => 1);
  if (raw.length !== teachers.length) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: 'weights' has ${raw.length} entries but there are ${teachers.length} teachers.`,
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
  { student, teachers }: MultiTeacherInputs,
  normalizedWeights: readonly number[],
  temperature: number,
  soft: SoftTarget,
): tf.Tensor1D {
  const weighted = teachers.map((t, k) =>
    tf.add(logSoftmaxAt(t, temperature), Math.log(normalizedWeights[k] ?? 0)),
  );
  // Mixture of probabilities, in log space: log Σ_k exp(log w_k + log p_k).
  const logMixture = tf.logSumExp(tf.stack(weighted), 0) as tf.Tensor2D;
  const studentLogProbs = logSoftmaxAt(student, temperature);
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
 * @param inputs `{ student, teachers }`: float32 [batch, classes] logits, one tensor per teacher.
 * @param options temperature 4 (`KD_DEFAULTS`), weights equal, soft 'cross-entropy', reduction 'mean'.
 * @example
 * const soft = multiTeacherLoss({ student, teachers: [resnetLogits, vitLogits] }, { weights: [2, 1] });
 */
export function multiTeacherLoss(
  inputs: MultiTeacherInputs,
  options: MultiTeacherOptions = {},
): tf.Tensor {
  const where = 'multiTeacherLoss';
  assertInputs(where, inputs, ['student', 'teachers']);
  const {
    temperature = KD_DEFAULTS.temperature,
    soft = 'cross-entropy',
    reduction = 'mean',
    allowProbabilities,
    weights,
  } = parseLossOptions(where, options, MULTI_TEACHER_OPTIONS);
  const normalized = checkTeachers(where, inputs, weights);
  assertTemperature(where, temperature);
  assertReduction(where, reduction);
  runProbes(
    probabilityProbes(
      where,
      [
        ...inputs.teachers.map((t, k) => [`teachers[${k}]`, t] as const),
        ['student', inputs.student] as const,
      ],
      allowProbabilities,
    ),
  );
  return tf.tidy(() =>
    reduceLoss(multiTeacherPerExample(inputs, normalized, temperature, soft), reduction),
  );
}

function teachersOf(where: string, ctx: LossContext): readonly tf.Tensor2D[] {
  const list = ctx.teachers ?? (ctx.teacher === undefined ? [] : [ctx.teacher]);
  if (list.length === 0) {
    throw new KdkitError('INVALID_ARGUMENT', `${where}: ctx.teachers (or ctx.teacher) is missing.`);
  }
  return list;
}

/**
 * Registered 'multi-teacher': `total = alpha · T² · soft + (1 − alpha) · hard` with the soft
 * term against the teachers' averaged probabilities (ctx.teachers).
 * Options: {@link MultiTeacherLossOptions}. Terms: `{ total, soft, hard }`.
 */
export function createMultiTeacherLoss(options: MultiTeacherLossOptions = {}): DistillationLoss {
  const name = 'multi-teacher';
  const where = `loss '${name}'`;
  const {
    temperature = KD_DEFAULTS.temperature,
    alpha = KD_DEFAULTS.alpha,
    soft = 'cross-entropy',
  } = options;
  assertTemperature(where, temperature);
  assertInRange(where, 'alpha', alpha, 0, 1);
  const allowProbabilities = options.allowProbabilities ?? false;
  return {
    name,
    compute: (ctx) => {
      assertContext(where, ctx);
      const inputs = { student: ctx.student, teachers: teachersOf(where, ctx) };
      const weights = checkTeachers(where, inputs, options.weights);
      runProbes([
        ...taskProbes(where, ctx, {
          ceWeight: 1 - alpha,
          kdWeight: 0,
          temperature,
          allowProbabilities,
        }),
        ...probabilityProbes(
          where,
          inputs.teachers.map((t, k) => [`teachers[${k}]`, t] as const),
          allowProbabilities,
        ),
      ]);
      return tf.tidy(() => {
        const softTerm = tf.mean(
          multiTeacherPerExample(inputs, weights, temperature, soft),
        ) as tf.Scalar;
        const hard = meanHardCrossEntropy(ctx.labels, ctx.student);
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
  factory: (options) =>
    createMultiTeacherLoss(
      parseLossOptions(factoryWhere('multi-teacher'), options, MULTI_TEACHER_LOSS_OPTIONS),
    ),
};
