import { assertInRange, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { KD_DEFAULTS } from '../defaults.js';
import { assertLabels, hardCrossEntropyPerExample, labelProbe } from '../hard-cross-entropy.js';
import { softCrossEntropyPerExample } from '../soft-cross-entropy.js';
import type { LossContext } from '../types.js';
import {
  assertLogits,
  assertLogitsPair,
  assertTemperature,
  type Probe,
  probabilityProbes,
  runProbes,
} from './guards.js';
import { assertContext } from './inputs.js';
import type { OptionSpec } from './options.js';

/** The class id registered losses read as "unlabelled". */
export const UNLABELLED = -1;

/** Options of the registered losses that add a task loss to their own term. */
export interface TaskOptions {
  /** Weight of the hard cross-entropy on labelled examples. Default 1. */
  readonly ceWeight?: number;
  /** Weight of an added Hinton soft term T²·CE(p^T, q^T); 0 (default) = none. */
  readonly kdWeight?: number;
  /** Temperature of that soft term. Default KD_DEFAULTS.temperature (4). */
  readonly temperature?: number;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

export const TASK_OPTION_SPEC: OptionSpec<TaskOptions> = {
  ceWeight: 'number',
  kdWeight: 'number',
  temperature: 'number',
  allowProbabilities: 'boolean',
};

export interface TaskWeights {
  /** Weight of the hard cross-entropy on labelled examples. */
  readonly ceWeight: number;
  /** Weight of an added Hinton soft term T²·CE(p^T, q^T); 0 = none. */
  readonly kdWeight: number;
  readonly temperature: number;
  readonly allowProbabilities: boolean;
}

export function resolveTaskWeights(
  where: string,
  options: TaskOptions,
  defaults: Partial<TaskWeights> = {},
): TaskWeights {
  const {
    ceWeight = defaults.ceWeight ?? 1,
    kdWeight = defaults.kdWeight ?? 0,
    temperature = defaults.temperature ?? KD_DEFAULTS.temperature,
    allowProbabilities = false,
  } = options;
  assertInRange(where, 'ceWeight', ceWeight, 0, Number.MAX_VALUE);
  assertInRange(where, 'kdWeight', kdWeight, 0, Number.MAX_VALUE);
  assertTemperature(where, temperature);
  return { ceWeight, kdWeight, temperature, allowProbabilities };
}

/**
 * Task weights of a loss whose own term replaces the Hinton soft term (DKD, DIST): only the
 * hard cross-entropy is added (kdWeight 0); `temperature` is the loss's own.
 */
export function hardOnlyTaskWeights(
  where: string,
  options: Pick<TaskOptions, 'ceWeight' | 'allowProbabilities'>,
  defaultCeWeight: number,
  temperature: number,
): TaskWeights {
  const { ceWeight = defaultCeWeight, allowProbabilities = false } = options;
  assertInRange(where, 'ceWeight', ceWeight, 0, Number.MAX_VALUE);
  return { ceWeight, kdWeight: 0, temperature, allowProbabilities };
}

/** ctx.teacher, or an error naming the loss. */
export function requireTeacher(where: string, ctx: LossContext): tf.Tensor2D {
  if (ctx.teacher === undefined) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ctx.teacher is missing; this loss distills from a teacher's logits.`,
    );
  }
  return ctx.teacher;
}

/** Static checks and data probes for the student logits, labels and (if used) teacher logits. */
export function taskProbes(where: string, ctx: LossContext, weights: TaskWeights): Probe[] {
  const { student, labels } = ctx;
  assertLogits(where, 'student', student);
  const checked: [string, tf.Tensor2D][] = [['student', student]];
  if (weights.kdWeight > 0) {
    const teacher = requireTeacher(where, ctx);
    assertLogitsPair(where, 'teacher', teacher, 'student', student);
    checked.push(['teacher', teacher]);
  }
  const probes = probabilityProbes(where, checked, weights.allowProbabilities);
  if (labels !== undefined && weights.ceWeight > 0) {
    assertLabels(where, labels, student);
    probes.push(labelProbe(where, labels, student.shape[1], UNLABELLED));
  }
  return probes;
}

/**
 * Checks the context of a loss that always reads the teacher's logits (its own term, whatever
 * kdWeight is): the context, the teacher, and the task probes; returns the teacher.
 */
export function checkTeacherContext(
  where: string,
  ctx: LossContext,
  weights: TaskWeights,
): tf.Tensor2D {
  assertContext(where, ctx);
  runProbes(taskProbes(where, ctx, { ...weights, kdWeight: 1 }));
  return requireTeacher(where, ctx);
}

export interface TaskTerms {
  /** Mean hard CE over labelled examples (0 if none). */
  readonly hard: tf.Scalar;
  /** Soft CE at T, present when kdWeight > 0. */
  readonly soft?: tf.Scalar;
  /** ceWeight · hard + kdWeight · T² · soft. */
  readonly weighted: tf.Scalar;
}

/** Unchecked task terms (run {@link taskProbes} first). */
export function taskTerms(ctx: LossContext, weights: TaskWeights): TaskTerms {
  const { student, teacher, labels } = ctx;
  const hard = meanHardCrossEntropy(labels, student);
  let weighted = tf.mul(hard, weights.ceWeight) as tf.Scalar;
  if (weights.kdWeight > 0 && teacher !== undefined) {
    const soft = tf.mean(
      softCrossEntropyPerExample({ student, teacher }, weights.temperature),
    ) as tf.Scalar;
    const t2 = weights.temperature * weights.temperature;
    weighted = tf.add(weighted, tf.mul(soft, weights.kdWeight * t2)) as tf.Scalar;
    return { hard, soft, weighted };
  }
  return { hard, weighted };
}

/** Hard CE at T = 1 averaged over labelled examples (−1 = unlabelled); 0 without labels. */
export function meanHardCrossEntropy(
  labels: tf.Tensor1D | undefined,
  student: tf.Tensor2D,
): tf.Scalar {
  if (labels === undefined) return tf.scalar(0);
  const { perExample, count } = hardCrossEntropyPerExample({ student, labels }, 0, UNLABELLED);
  return tf.div(tf.sum(perExample), tf.maximum(count, 1)) as tf.Scalar;
}
