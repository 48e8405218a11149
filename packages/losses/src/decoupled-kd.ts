import { assertDtype, assertInRange, assertInteger, assertShape } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { oneHotFloat } from './hard-cross-entropy.js';
import {
  assertLogitsPair,
  assertTemperature,
  classIdProbe,
  probabilityProbes,
  runProbes,
} from './internal/guards.js';
import type { LossEntry } from './internal/loss-entry.js';
import { parseLossOptions } from './internal/options.js';
import { requireTeacherLogits, taskProbes, taskTerms, UNLABELLED } from './internal/task-terms.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import type { DistillationLoss } from './types.js';

// Added to the target logit (already divided by T) to drop it from the non-target softmax.
const MASK_OFFSET = 1e9;

export interface DecoupledKdOptions {
  /** Weight α of target-class KD (TCKD). Default 1. */
  readonly alpha?: number;
  /** Weight β of non-target-class KD (NCKD). Default 8. */
  readonly beta?: number;
  /** Temperature T > 0. Default 4. */
  readonly temperature?: number;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

export type DecoupledKdTerms = {
  /** (α · TCKD + β · NCKD) · T². */
  readonly total: tf.Scalar;
  /** KL between the binary [target, non-target] distributions at T, batch mean. */
  readonly tckd: tf.Scalar;
  /** KL between the distributions over non-target classes at T, batch mean. */
  readonly nckd: tf.Scalar;
};

/** Unchecked DKD terms for int32 targets in [0, classes). */
export function decoupledKdTerms(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  targets: tf.Tensor1D,
  alpha: number,
  beta: number,
  temperature: number,
): DecoupledKdTerms {
  const mask = oneHotFloat(targets, studentLogits.shape[1]);
  const offset = tf.mul(mask, MASK_OFFSET);
  const binaryLogProbs = (logits: tf.Tensor2D): [tf.Tensor1D, tf.Tensor1D] => {
    const logProbs = logSoftmaxAt(logits, temperature);
    const target = tf.sum(tf.mul(logProbs, mask), 1) as tf.Tensor1D;
    const nonTarget = tf.logSumExp(tf.sub(logProbs, offset), 1) as tf.Tensor1D;
    return [target, nonTarget];
  };
  const [tTarget, tRest] = binaryLogProbs(teacherLogits);
  const [sTarget, sRest] = binaryLogProbs(studentLogits);
  const tckdPerExample = tf.add(
    tf.mul(tf.exp(tTarget), tf.sub(tTarget, sTarget)),
    tf.mul(tf.exp(tRest), tf.sub(tRest, sRest)),
  );
  const nonTargetLogProbs = (logits: tf.Tensor2D) =>
    tf.logSoftmax(tf.sub(tf.div(logits, temperature), offset) as tf.Tensor2D);
  const tNon = nonTargetLogProbs(teacherLogits);
  const sNon = nonTargetLogProbs(studentLogits);
  const nckdPerExample = tf.sum(tf.mul(tf.exp(tNon), tf.sub(tNon, sNon)), 1);
  const tckd = tf.mean(tckdPerExample) as tf.Scalar;
  const nckd = tf.mean(nckdPerExample) as tf.Scalar;
  const total = tf.mul(
    tf.add(tf.mul(tckd, alpha), tf.mul(nckd, beta)),
    temperature * temperature,
  ) as tf.Scalar;
  return { total, tckd, nckd };
}

/**
 * Decoupled knowledge distillation (DKD, Zhao et al. 2022). KD is split into target-class KD
 * (TCKD: KL between the teacher's and student's binary [p_target, 1 − p_target] at T) and
 * non-target-class KD (NCKD: KL between their softmaxes over the non-target classes at T):
 * `total = (α · TCKD + β · NCKD) · T²`, batch means. Computed in log space.
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param teacherLogits float32 [batch, classes].
 * @param studentLogits float32 [batch, classes].
 * @param targets int32 [batch] target classes in [0, classes).
 * @param options alpha 1, beta 8, temperature 4 (the paper's CIFAR-100 settings).
 * @returns scalars `{ total, tckd, nckd }`.
 * @example
 * const { total } = decoupledKdLoss(teacherLogits, studentLogits, labels, { beta: 8 });
 */
export function decoupledKdLoss(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  targets: tf.Tensor1D,
  options: DecoupledKdOptions = {},
): DecoupledKdTerms {
  const where = 'decoupledKdLoss';
  const { alpha = 1, beta = 8, temperature = 4 } = options;
  assertLogitsPair(where, 'teacherLogits', teacherLogits, 'studentLogits', studentLogits);
  assertShape(where, 'targets', targets, [studentLogits.shape[0]]);
  assertDtype(where, 'targets', targets, ['int32']);
  assertInRange(where, 'alpha', alpha, 0, Number.MAX_VALUE);
  assertInRange(where, 'beta', beta, 0, Number.MAX_VALUE);
  assertTemperature(where, temperature);
  const classes = studentLogits.shape[1];
  runProbes([
    ...probabilityProbes(
      where,
      [
        ['teacherLogits', teacherLogits],
        ['studentLogits', studentLogits],
      ],
      options.allowProbabilities,
    ),
    classIdProbe(where, 'targets', targets, classes, undefined),
  ]);
  return tf.tidy(() =>
    decoupledKdTerms(teacherLogits, studentLogits, targets, alpha, beta, temperature),
  );
}

/** DKD's warm-up factor min((epoch + 1) / warmupEpochs, 1) for a 0-based epoch. */
export function dkdWarmup(epoch: number, warmupEpochs: number): number {
  return warmupEpochs <= 0 ? 1 : Math.min((epoch + 1) / warmupEpochs, 1);
}

/**
 * Registered 'dkd': `total = ceWeight · hard + warmup(epoch) · (α · TCKD + β · NCKD) · T²`,
 * as in the paper's code. Unlabelled examples (−1) use the teacher's top class as target.
 * Options alpha=1, beta=8, temperature=4, warmupEpochs=20, ceWeight=1.
 * Terms: `{ total, hard, tckd, nckd, dkd }` (dkd after warm-up scaling).
 */
export function createDecoupledKdLoss(options?: Record<string, unknown>): DistillationLoss {
  const name = 'dkd';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, {
    alpha: 'number',
    beta: 'number',
    temperature: 'number',
    warmupEpochs: 'number',
    ceWeight: 'number',
    allowProbabilities: 'boolean',
  });
  const { alpha = 1, beta = 8, temperature = 4, warmupEpochs = 20, ceWeight = 1 } = parsed;
  assertInRange(where, 'alpha', alpha, 0, Number.MAX_VALUE);
  assertInRange(where, 'beta', beta, 0, Number.MAX_VALUE);
  assertTemperature(where, temperature);
  assertInteger(where, 'warmupEpochs', warmupEpochs, 0);
  assertInRange(where, 'ceWeight', ceWeight, 0, Number.MAX_VALUE);
  const weights = {
    ceWeight,
    kdWeight: 0,
    temperature,
    allowProbabilities: parsed.allowProbabilities ?? false,
  };
  return {
    name,
    compute: (ctx) => {
      const teacherLogits = requireTeacherLogits(where, ctx);
      assertLogitsPair(where, 'teacherLogits', teacherLogits, 'studentLogits', ctx.studentLogits);
      runProbes([
        // Labels are DKD's targets, so they are checked even when ceWeight is 0.
        ...taskProbes(where, ctx, { ...weights, ceWeight: 1 }),
        ...probabilityProbes(where, [['teacherLogits', teacherLogits]], weights.allowProbabilities),
      ]);
      return tf.tidy(() => {
        const teacherTop = tf.cast(tf.argMax(teacherLogits, 1), 'int32') as tf.Tensor1D;
        const targets =
          ctx.labels === undefined
            ? teacherTop
            : (tf.where(tf.equal(ctx.labels, UNLABELLED), teacherTop, ctx.labels) as tf.Tensor1D);
        const {
          total: dkdRaw,
          tckd,
          nckd,
        } = decoupledKdTerms(teacherLogits, ctx.studentLogits, targets, alpha, beta, temperature);
        const dkd = tf.mul(dkdRaw, dkdWarmup(ctx.epoch, warmupEpochs)) as tf.Scalar;
        const { hard, weighted } = taskTerms(ctx, weights);
        return { total: tf.add(weighted, dkd) as tf.Scalar, hard, tckd, nckd, dkd };
      });
    },
  };
}

export const decoupledKdLossEntry: LossEntry = {
  name: 'dkd',
  description:
    'Decoupled KD (Zhao et al. 2022): CE + warm-up·(α·TCKD + β·NCKD)·T²; options alpha=1, beta=8, temperature=4, warmupEpochs=20.',
  factory: createDecoupledKdLoss,
};
