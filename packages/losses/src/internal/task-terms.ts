import { assertInRange, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels, hardCrossEntropyPerExample, labelProbe } from '../hard-cross-entropy.js';
import { softCrossEntropyPerExample } from '../soft-cross-entropy.js';
import type { LossContext } from '../types.js';
import {
  assertLogits,
  assertLogitsPair,
  assertTemperature,
  type Probe,
  probabilityProbes,
} from './guards.js';

/** The class id registered losses read as "unlabelled". */
export const UNLABELLED = -1;

/** Options shared by the registered losses that add a task loss to their own term. */
export const TASK_OPTION_SPEC = {
  ceWeight: 'number',
  kdWeight: 'number',
  temperature: 'number',
  allowProbabilities: 'boolean',
} as const;

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
  options: Partial<TaskWeights>,
  defaults: Partial<TaskWeights> = {},
): TaskWeights {
  const {
    ceWeight = defaults.ceWeight ?? 1,
    kdWeight = defaults.kdWeight ?? 0,
    temperature = defaults.temperature ?? 4,
    allowProbabilities = false,
  } = options;
  assertInRange(where, 'ceWeight', ceWeight, 0, Number.MAX_VALUE);
  assertInRange(where, 'kdWeight', kdWeight, 0, Number.MAX_VALUE);
  assertTemperature(where, temperature);
  return { ceWeight, kdWeight, temperature, allowProbabilities };
}

/** ctx.teacherLogits, or an error naming the loss. */
export function requireTeacherLogits(where: string, ctx: LossContext): tf.Tensor2D {
  if (ctx.teacherLogits === undefined) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ctx.teacherLogits is missing; this loss distills from a teacher's logits.`,
    );
  }
  return ctx.teacherLogits;
}

/** Static checks and data probes for the student logits, labels and (if used) teacher logits. */
export function taskProbes(where: string, ctx: LossContext, weights: TaskWeights): Probe[] {
  const { studentLogits, labels } = ctx;
  assertLogits(where, 'studentLogits', studentLogits);
  const checked: [string, tf.Tensor2D][] = [['studentLogits', studentLogits]];
  if (weights.kdWeight > 0) {
    const teacherLogits = requireTeacherLogits(where, ctx);
    assertLogitsPair(where, 'teacherLogits', teacherLogits, 'studentLogits', studentLogits);
    checked.push(['teacherLogits', teacherLogits]);
  }
  const probes = probabilityProbes(where, checked, weights.allowProbabilities);
  if (labels !== undefined && weights.ceWeight > 0) {
    assertLabels(where, labels, studentLogits);
    probes.push(labelProbe(where, labels, studentLogits.shape[1], UNLABELLED));
  }
  return probes;
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
  const { studentLogits, labels } = ctx;
  const hard = meanHardCrossEntropy(labels, studentLogits);
  let weighted = tf.mul(hard, weights.ceWeight) as tf.Scalar;
  if (weights.kdWeight > 0 && ctx.teacherLogits !== undefined) {
    const soft = tf.mean(
      softCrossEntropyPerExample(ctx.teacherLogits, studentLogits, weights.temperature),
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
  studentLogits: tf.Tensor2D,
): tf.Scalar {
  if (labels === undefined) return tf.scalar(0);
  const { perExample, count } = hardCrossEntropyPerExample(labels, studentLogits, 0, UNLABELLED);
  return tf.div(tf.sum(perExample), tf.maximum(count, 1)) as tf.Scalar;
}
