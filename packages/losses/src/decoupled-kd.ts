import { assertDtype, assertInRange, assertInteger, assertShape } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { KD_DEFAULTS } from './defaults.js';
import { oneHotFloat } from './hard-cross-entropy.js';
import {
  assertTemperature,
  classIdProbe,
  runProbes,
  teacherStudentProbes,
} from './internal/guards.js';
import { assertInputs } from './internal/inputs.js';
import type { LossEntry } from './internal/loss-entry.js';
import { factoryWhere, type OptionSpec, parseLossOptions } from './internal/options.js';
import {
  checkTeacherContext,
  hardOnlyTaskWeights,
  taskTerms,
  UNLABELLED,
} from './internal/task-terms.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import type { DistillationLoss, LogitInputs } from './types.js';

/** DKD's inputs: logits and int32 target classes [batch] in [0, classes). */
export interface DecoupledKdInputs extends LogitInputs {
  readonly labels: tf.Tensor1D;
}

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

/** Options of the registered 'dkd' loss: {@link DecoupledKdOptions} plus the warm-up and CE weight. */
export interface DkdLossOptions extends DecoupledKdOptions {
  /** Epochs over which the DKD term ramps up linearly. Default 20. */
  readonly warmupEpochs?: number;
  /** Weight of the hard cross-entropy. Default 1. */
  readonly ceWeight?: number;
}

/** DKD's defaults (the paper's CIFAR-100 settings), written once. */
export const DKD_DEFAULTS = Object.freeze({
  alpha: 1,
  beta: 8,
  temperature: KD_DEFAULTS.temperature,
  warmupEpochs: 20,
  ceWeight: 1,
});

const DECOUPLED_KD_OPTIONS: OptionSpec<DecoupledKdOptions> = {
  alpha: 'number',
  beta: 'number',
  temperature: 'number',
  allowProbabilities: 'boolean',
};

const DKD_LOSS_OPTIONS: OptionSpec<DkdLossOptions> = {
  ...DECOUPLED_KD_OPTIONS,
  warmupEpochs: 'number',
  ceWeight: 'number',
};

/** Checks DKD's weights and temperature; returns them with defaults filled in. */
function resolveDkd(where: string, options: DecoupledKdOptions) {
  const {
    alpha = DKD_DEFAULTS.alpha,
    beta = DKD_DEFAULTS.beta,
    temperature = DKD_DEFAULTS.temperature,
  } = options;
  assertInRange(where, 'alpha', alpha, 0, Number.MAX_VALUE);
  assertInRange(where, 'beta', beta, 0, Number.MAX_VALUE);
  assertTemperature(where, temperature);
  return { alpha, beta, temperature };
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
  { student, teacher, labels }: DecoupledKdInputs,
  { alpha, beta, temperature }: { alpha: number; beta: number; temperature: number },
): DecoupledKdTerms {
  const mask = oneHotFloat(labels, student.shape[1]);
  const offset = tf.mul(mask, MASK_OFFSET);
  const binaryLogProbs = (logits: tf.Tensor2D): [tf.Tensor1D, tf.Tensor1D] => {
    const logProbs = logSoftmaxAt(logits, temperature);
    const target = tf.sum(tf.mul(logProbs, mask), 1) as tf.Tensor1D;
    const nonTarget = tf.logSumExp(tf.sub(logProbs, offset), 1) as tf.Tensor1D;
    return [target, nonTarget];
  };
  const [tTarget, tRest] = binaryLogProbs(teacher);
  const [sTarget, sRest] = binaryLogProbs(student);
  const tckdPerExample = tf.add(
    tf.mul(tf.exp(tTarget), tf.sub(tTarget, sTarget)),
    tf.mul(tf.exp(tRest), tf.sub(tRest, sRest)),
  );
  const nonTargetLogProbs = (logits: tf.Tensor2D) =>
    tf.logSoftmax(tf.sub(tf.div(logits, temperature), offset) as tf.Tensor2D);
  const tNon = nonTargetLogProbs(teacher);
  const sNon = nonTargetLogProbs(student);
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
 * @param inputs `{ student, teacher, labels }`: logits float32 [batch, classes]; labels int32
 *   [batch] target classes in [0, classes).
 * @param options alpha 1, beta 8, temperature 4 (`DKD_DEFAULTS`, the paper's CIFAR-100 settings).
 * @returns scalars `{ total, tckd, nckd }`.
 * @example
 * const { total } = decoupledKdLoss({ student, teacher, labels }, { beta: 8 });
 */
export function decoupledKdLoss(
  inputs: DecoupledKdInputs,
  options: DecoupledKdOptions = {},
): DecoupledKdTerms {
  const where = 'decoupledKdLoss';
  assertInputs(where, inputs, ['student', 'teacher', 'labels']);
  const parsed = parseLossOptions(where, options, DECOUPLED_KD_OPTIONS);
  const { student, labels } = inputs;
  const probes = teacherStudentProbes(where, inputs, parsed.allowProbabilities);
  assertShape(where, 'labels', labels, [student.shape[0]]);
  assertDtype(where, 'labels', labels, ['int32']);
  const weights = resolveDkd(where, parsed);
  runProbes([...probes, classIdProbe(where, 'labels', labels, student.shape[1], undefined)]);
  return tf.tidy(() => decoupledKdTerms(inputs, weights));
}

/** DKD's warm-up factor min((epoch + 1) / warmupEpochs, 1) for a 0-based epoch. */
export function dkdWarmup(epoch: number, warmupEpochs: number): number {
  return warmupEpochs <= 0 ? 1 : Math.min((epoch + 1) / warmupEpochs, 1);
}

/**
 * Registered 'dkd': `total = ceWeight · hard + warmup(epoch) · (α · TCKD + β · NCKD) · T²`,
 * as in the paper's code. Unlabelled examples (−1) use the teacher's top class as target.
 * Options: {@link DkdLossOptions}, defaults {@link DKD_DEFAULTS}.
 * Terms: `{ total, hard, tckd, nckd, dkd }` (dkd after warm-up scaling).
 */
export function createDecoupledKdLoss(options: DkdLossOptions = {}): DistillationLoss {
  const name = 'dkd';
  const where = `loss '${name}'`;
  const dkdWeights = resolveDkd(where, options);
  const { warmupEpochs = DKD_DEFAULTS.warmupEpochs } = options;
  assertInteger(where, 'warmupEpochs', warmupEpochs, 0);
  const weights = hardOnlyTaskWeights(
    where,
    options,
    DKD_DEFAULTS.ceWeight,
    dkdWeights.temperature,
  );
  return {
    name,
    compute: (ctx) => {
      // Labels are DKD's targets, so they are checked even when ceWeight is 0.
      const teacher = checkTeacherContext(where, ctx, { ...weights, ceWeight: 1 });
      const { student, labels } = ctx;
      return tf.tidy(() => {
        const teacherTop = tf.cast(tf.argMax(teacher, 1), 'int32') as tf.Tensor1D;
        const targets =
          labels === undefined
            ? teacherTop
            : (tf.where(tf.equal(labels, UNLABELLED), teacherTop, labels) as tf.Tensor1D);
        const {
          total: dkdRaw,
          tckd,
          nckd,
        } = decoupledKdTerms({ student, teacher, labels: targets }, dkdWeights);
        const dkd = tf.mul(dkdRaw, dkdWarmup(ctx.epoch, warmupEpochs)) as tf.Scalar;
        const { hard, weighted } = taskTerms(ctx, weights);
        return { total: tf.add(weighted, dkd) as tf.Scalar, hard, tckd, nckd, dkd };
      });
    },
  };
}

const { alpha, beta, temperature, warmupEpochs } = DKD_DEFAULTS;

export const decoupledKdLossEntry: LossEntry = {
  name: 'dkd',
  description: `Decoupled KD (Zhao et al. 2022): CE + warm-up·(α·TCKD + β·NCKD)·T²; options alpha=${alpha}, beta=${beta}, temperature=${temperature}, warmupEpochs=${warmupEpochs}.`,
  factory: (options) =>
    createDecoupledKdLoss(parseLossOptions(factoryWhere('dkd'), options, DKD_LOSS_OPTIONS)),
};
