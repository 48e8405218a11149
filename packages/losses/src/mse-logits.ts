import { assertInRange } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { KD_DEFAULTS } from './defaults.js';
import { assertReduction, REDUCTIONS, runProbes, teacherStudentProbes } from './internal/guards.js';
import { assertInputs } from './internal/inputs.js';
import type { LossEntry } from './internal/loss-entry.js';
import { factoryWhere, type OptionSpec, parseLossOptions } from './internal/options.js';
import { reduceLoss } from './internal/reduce.js';
import { checkTeacherContext, meanHardCrossEntropy } from './internal/task-terms.js';
import type { DistillationLoss, LogitInputs, Reduction } from './types.js';

export interface MseLogitsOptions {
  /** 'mean' over the batch (default), 'sum', or 'none'. */
  readonly reduction?: Reduction;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

const MSE_LOGITS_OPTIONS: OptionSpec<MseLogitsOptions> = {
  reduction: REDUCTIONS,
  allowProbabilities: 'boolean',
};

/** Options of the registered 'mse' loss. */
export interface MseLossOptions {
  /** Weight in [0, 1] of the MSE term; the hard CE gets 1 − alpha. Default KD_DEFAULTS.alpha (0.9). */
  readonly alpha?: number;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

const MSE_LOSS_OPTIONS: OptionSpec<MseLossOptions> = {
  alpha: 'number',
  allowProbabilities: 'boolean',
};

/** Unchecked per-example mean over classes of (z_s − z_t)², shape [batch]. */
export function mseLogitsPerExample({ student, teacher }: LogitInputs): tf.Tensor1D {
  return tf.mean(tf.squaredDifference(student, teacher), 1) as tf.Tensor1D;
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
 * @param inputs `{ student, teacher }` logits, float32 [batch, classes].
 * @param options reduction ('mean' default, 'sum', 'none').
 * @example
 * const loss = mseLogitsLoss({ student, teacher }); // scalar
 */
export function mseLogitsLoss(inputs: LogitInputs, options: MseLogitsOptions = {}): tf.Tensor {
  const where = 'mseLogitsLoss';
  assertInputs(where, inputs, ['student', 'teacher']);
  const { reduction = 'mean', allowProbabilities } = parseLossOptions(
    where,
    options,
    MSE_LOGITS_OPTIONS,
  );
  const probes = teacherStudentProbes(where, inputs, allowProbabilities);
  assertReduction(where, reduction);
  runProbes(probes);
  return tf.tidy(() => reduceLoss(mseLogitsPerExample(inputs), reduction));
}

/**
 * Registered 'mse': `total = alpha · mse + (1 − alpha) · hard`, hard CE on labelled examples.
 * Options: {@link MseLossOptions}. Terms: `{ total, mse, hard }`.
 */
export function createMseLogitsLoss(options: MseLossOptions = {}): DistillationLoss {
  const name = 'mse';
  const where = `loss '${name}'`;
  const alpha = options.alpha ?? KD_DEFAULTS.alpha;
  assertInRange(where, 'alpha', alpha, 0, 1);
  const weights = {
    ceWeight: 1 - alpha,
    kdWeight: 0,
    temperature: 1,
    allowProbabilities: options.allowProbabilities ?? false,
  };
  return {
    name,
    compute: (ctx) => {
      const teacher = checkTeacherContext(where, ctx, weights);
      const { student, labels } = ctx;
      return tf.tidy(() => {
        const mse = tf.mean(mseLogitsPerExample({ student, teacher })) as tf.Scalar;
        const hard = meanHardCrossEntropy(labels, student);
        const total = tf.add(tf.mul(mse, alpha), tf.mul(hard, 1 - alpha)) as tf.Scalar;
        return { total, mse, hard };
      });
    },
  };
}

export const mseLogitsLossEntry: LossEntry = {
  name: 'mse',
  description: `Logit matching (Ba & Caruana): alpha·MSE(student logits, teacher logits) + (1 − alpha)·hard CE; option alpha=${KD_DEFAULTS.alpha}.`,
  factory: (options) =>
    createMseLogitsLoss(parseLossOptions(factoryWhere('mse'), options, MSE_LOSS_OPTIONS)),
};
