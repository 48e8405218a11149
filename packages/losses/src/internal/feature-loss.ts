import { assertInRange } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { LossContext, LossTerms } from '../types.js';
import { assertFeaturePairs, type FeaturePairRules, requireFeatures } from './features.js';
import { runProbes } from './guards.js';
import { TASK_OPTION_SPEC, type TaskWeights, taskProbes, taskTerms } from './task-terms.js';

/** Options every registered feature loss takes: its weight beta plus the task terms'. */
export const FEATURE_OPTION_SPEC = { ...TASK_OPTION_SPEC, beta: 'number' } as const;

export function resolveBeta(where: string, beta: number | undefined, fallback: number): number {
  const value = beta ?? fallback;
  assertInRange(where, 'beta', value, 0, Number.MAX_VALUE);
  return value;
}

/** A feature method's scalar terms: `main` is weighted by beta; `extra` is only logged. */
export interface FeatureTerms {
  readonly main: tf.Scalar;
  readonly extra?: Readonly<Record<string, tf.Scalar>>;
}

/**
 * One step of a registered feature loss:
 * `total = ceWeight · hard + kdWeight · T² · soft + beta · feature`.
 * Terms: `{ total, hard, [termName], ...extra, soft? }`.
 */
export function computeFeatureLoss(
  where: string,
  ctx: LossContext,
  weights: TaskWeights,
  beta: number,
  termName: string,
  rules: FeaturePairRules,
  feature: (student: readonly tf.Tensor[], teacher: readonly tf.Tensor[]) => FeatureTerms,
): LossTerms {
  const { student, teacher } = requireFeatures(where, ctx);
  assertFeaturePairs(where, student, teacher, rules);
  runProbes(taskProbes(where, ctx, weights));
  return tf.tidy(() => {
    const { hard, soft, weighted } = taskTerms(ctx, weights);
    const { main, extra } = feature(student, teacher);
    const total = tf.add(weighted, tf.mul(main, beta)) as tf.Scalar;
    return { total, hard, [termName]: main, ...extra, ...(soft === undefined ? {} : { soft }) };
  });
}
