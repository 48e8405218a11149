import { assertInRange, assertOneOf, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { KD_DEFAULTS } from './defaults.js';
import { assertLabels, hardCrossEntropyPerExample, labelProbe } from './hard-cross-entropy.js';
import { assertTemperature, runProbes, teacherStudentProbes } from './internal/guards.js';
import { assertInputs } from './internal/inputs.js';
import { type OptionSpec, parseLossOptions } from './internal/options.js';
import { klDivergencePerExample } from './kl-divergence.js';
import { softCrossEntropyPerExample } from './soft-cross-entropy.js';
import type { LogitInputs } from './types.js';

export type SoftTarget = 'cross-entropy' | 'kl';
export const SOFT_TARGETS: readonly SoftTarget[] = ['cross-entropy', 'kl'];

export interface DistillationInputs extends LogitInputs {
  /**
   * int32 [batch] class ids (−1 = unlabelled, by default) or float32 [batch, classes] rows.
   * May be omitted only when alpha = 1.
   */
  readonly labels?: tf.Tensor1D | tf.Tensor2D;
}

export interface DistillationOptions {
  /** Temperature T > 0 of the soft targets. Default KD_DEFAULTS.temperature (4). */
  readonly temperature?: number;
  /** Weight in [0, 1] of the soft term. Default KD_DEFAULTS.alpha (0.9). */
  readonly alpha?: number;
  /** 'cross-entropy' (default) or 'kl': same gradient, KL is 0 when student = teacher. */
  readonly soft?: SoftTarget;
  /** Label smoothing ε of the hard term. Default 0. */
  readonly labelSmoothing?: number;
  /** Class id marking an unlabelled example. Default −1. */
  readonly ignoreIndex?: number;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

export const DISTILLATION_OPTIONS: OptionSpec<DistillationOptions> = {
  temperature: 'number',
  alpha: 'number',
  soft: SOFT_TARGETS,
  labelSmoothing: 'number',
  ignoreIndex: 'number',
  allowProbabilities: 'boolean',
};

// A type alias (not an interface) so it is a tf.TensorContainer.
export type DistillationTerms = {
  /** alpha · T² · soft + (1 − alpha) · hard. */
  readonly total: tf.Scalar;
  /** Soft cross-entropy or KL at T, batch mean, not scaled by T². */
  readonly soft: tf.Scalar;
  /** Hard cross-entropy at T = 1, mean over labelled examples (0 when none). */
  readonly hard: tf.Scalar;
};

/** Checked and defaulted {@link DistillationOptions}. */
export interface ResolvedDistillationOptions {
  readonly temperature: number;
  readonly alpha: number;
  readonly soft: SoftTarget;
  readonly labelSmoothing: number;
  readonly ignoreIndex: number;
  readonly allowProbabilities: boolean;
}

/** Validates and fills in the defaults of {@link DistillationOptions}. */
export function resolveDistillationOptions(
  where: string,
  options: DistillationOptions,
): ResolvedDistillationOptions {
  const {
    temperature = KD_DEFAULTS.temperature,
    alpha = KD_DEFAULTS.alpha,
    soft = 'cross-entropy',
    labelSmoothing = 0,
    ignoreIndex = -1,
    allowProbabilities = false,
  } = options;
  assertTemperature(where, temperature);
  assertInRange(where, 'alpha', alpha, 0, 1);
  assertOneOf(where, 'soft', soft, SOFT_TARGETS);
  assertInRange(where, 'labelSmoothing', labelSmoothing, 0, 1);
  if (!Number.isInteger(ignoreIndex)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'ignoreIndex' must be an integer, got ${ignoreIndex}.`,
    );
  }
  return { temperature, alpha, soft, labelSmoothing, ignoreIndex, allowProbabilities };
}

/** Unchecked soft term per example: soft cross-entropy or KL at T. */
export function softTermPerExample(
  soft: SoftTarget,
  inputs: LogitInputs,
  temperature: number,
): tf.Tensor1D {
  return soft === 'kl'
    ? klDivergencePerExample(inputs, temperature)
    : softCrossEntropyPerExample(inputs, temperature);
}

/**
 * Validates everything a Hinton-style loss reads (one data read), then computes
 * `{ total, soft, hard }` without further checks. Registered losses pass
 * `missingLabelsMeanUnlabelled` so a batch without labels gets hard = 0.
 */
export function distillationTerms(
  where: string,
  inputs: DistillationInputs,
  options: ResolvedDistillationOptions,
  missingLabelsMeanUnlabelled = false,
): DistillationTerms {
  const { student, teacher, labels } = inputs;
  const { temperature, alpha, soft, labelSmoothing, ignoreIndex } = options;
  const probes = teacherStudentProbes(where, { student, teacher }, options.allowProbabilities);
  if (labels === undefined && alpha < 1 && !missingLabelsMeanUnlabelled) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'labels' is missing but alpha = ${alpha} < 1 weights a hard term; pass labels (−1 marks an unlabelled example) or set alpha to 1.`,
    );
  }
  if (labels !== undefined) assertLabels(where, labels, student);
  if (labels !== undefined) probes.push(labelProbe(where, labels, student.shape[1], ignoreIndex));
  runProbes(probes);

  return tf.tidy(() => {
    const softTerm = tf.mean(
      softTermPerExample(soft, { student, teacher }, temperature),
    ) as tf.Scalar;
    let hardTerm: tf.Scalar;
    if (labels === undefined) {
      hardTerm = tf.scalar(0);
    } else {
      const { perExample, count } = hardCrossEntropyPerExample(
        { student, labels },
        labelSmoothing,
        ignoreIndex,
      );
      hardTerm = tf.div(tf.sum(perExample), tf.maximum(count, 1));
    }
    const total = tf.add(
      tf.mul(softTerm, alpha * temperature * temperature),
      tf.mul(hardTerm, 1 - alpha),
    ) as tf.Scalar;
    return { total, soft: softTerm, hard: hardTerm };
  });
}

/**
 * The knowledge-distillation loss of Hinton et al. 2015:
 * `total = alpha · T² · soft + (1 − alpha) · hard`, where `soft` is the soft cross-entropy
 * between teacher and student at temperature T (or KL with `soft: 'kl'`) and `hard` is the
 * cross-entropy with the labels at T = 1. T² keeps the soft gradients' scale independent of T.
 * Examples labelled −1 (`ignoreIndex`) get only the soft term; a batch with no labelled
 * example has `hard` = 0.
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param inputs `{ student, teacher, labels }`: logits float32 [batch, classes]; labels int32 [batch].
 * @param options temperature 4, alpha 0.9 (`KD_DEFAULTS`), soft 'cross-entropy',
 *   labelSmoothing 0, ignoreIndex −1.
 * @returns scalars `{ total, soft, hard }`.
 * @example
 * const { total, soft, hard } = distillationLoss(
 *   { student, teacher, labels },
 *   { temperature: 4, alpha: 0.9 },
 * );
 */
export function distillationLoss(
  inputs: DistillationInputs,
  options: DistillationOptions = {},
): DistillationTerms {
  const where = 'distillationLoss';
  assertInputs(where, inputs, ['student', 'teacher'], ['labels']);
  const parsed = parseLossOptions(where, options, DISTILLATION_OPTIONS);
  return distillationTerms(where, inputs, resolveDistillationOptions(where, parsed));
}
