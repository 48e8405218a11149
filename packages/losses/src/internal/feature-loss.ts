import { assertInRange } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { FeaturePair, LossContext, LossTerms } from '../types.js';
import { assertFeaturePairs, type FeaturePairRules, requireFeatures } from './features.js';
import { runProbes } from './guards.js';
import { assertContext } from './inputs.js';
import type { OptionSpec } from './options.js';
import {
  TASK_OPTION_SPEC,
  type TaskOptions,
  type TaskWeights,
  taskProbes,
  taskTerms,
} from './task-terms.js';

/** Options every registered feature loss takes: its weight beta plus the task terms'. */
export interface FeatureLossOptions extends TaskOptions {
  /** Weight of the feature term (each loss has its own default). */
  readonly beta?: number;
}

export const FEATURE_OPTION_SPEC: OptionSpec<FeatureLossOptions> = {
  ...TASK_OPTION_SPEC,
  beta: 'number',
};

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
  feature: (features: FeaturePair) => FeatureTerms,
): LossTerms {
  assertContext(where, ctx);
  const features = requireFeatures(where, ctx);
  assertFeaturePairs(where, features, rules);
  runProbes(taskProbes(where, ctx, weights));
  return tf.tidy(() => {
    const { hard, soft, weighted } = taskTerms(ctx, weights);
    const { main, extra } = feature(features);
    const total = tf.add(weighted, tf.mul(main, beta)) as tf.Scalar;
    return { total, hard, [termName]: main, ...extra, ...(soft === undefined ? {} : { soft }) };
  });
}
