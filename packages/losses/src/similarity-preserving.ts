import * as tf from '@tensorflow/tfjs-core';
import { computeFeatureLoss, FEATURE_OPTION_SPEC, resolveBeta } from './internal/feature-loss.js';
import { assertFeaturePairs } from './internal/features.js';
import type { LossEntry } from './internal/loss-entry.js';
import { flattenBatch, l2Normalize } from './internal/normalize.js';
import { parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

/** Row-normalized batch similarity G = normalize(f fᵀ), [b, b]. */
export function batchSimilarity(features: tf.Tensor): tf.Tensor2D {
  const flat = flattenBatch(features);
  return l2Normalize(tf.matMul(flat, flat, false, true), 1);
}

/** Unchecked Σ_pairs ‖G_s − G_t‖²_F / b². */
export function similarityPreservingTerm(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
): tf.Scalar {
  const perPair = studentFeatures.map((s, i) => {
    const batch = s.shape[0] ?? 1;
    const diff = tf.squaredDifference(
      batchSimilarity(s),
      batchSimilarity(teacherFeatures[i] as tf.Tensor),
    );
    return tf.div(tf.sum(diff), batch * batch);
  });
  return tf.addN(perPair) as tf.Scalar;
}

/**
 * Similarity-preserving KD (Tung & Mori 2019): the student should reproduce the teacher's
 * pairwise similarities within a batch. For each pair, `G = normalize_rows(f fᵀ)` with f the
 * flattened features [b, d], and the loss is `Σ_pairs ‖G_s − G_t‖²_F / b²`. Feature sizes of
 * student and teacher may differ entirely; only the batch must match.
 *
 * Inputs are **features** (activations), not logits or probabilities.
 *
 * @param studentFeatures student maps (NHWC or [b, d]).
 * @param teacherFeatures teacher maps.
 * @example
 * const sp = similarityPreservingLoss([studentMap], [teacherMap]);
 */
export function similarityPreservingLoss(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
): tf.Scalar {
  assertFeaturePairs('similarityPreservingLoss', studentFeatures, teacherFeatures);
  return tf.tidy(() => similarityPreservingTerm(studentFeatures, teacherFeatures));
}

/**
 * Registered 'sp': `total = ceWeight · hard + beta · sp` (+ kdWeight · T² · soft).
 * Options beta=3000, ceWeight=1, kdWeight=0, temperature=4.
 */
export function createSimilarityPreservingLoss(
  options?: Record<string, unknown>,
): DistillationLoss {
  const name = 'sp';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, FEATURE_OPTION_SPEC);
  const weights = resolveTaskWeights(where, parsed);
  const beta = resolveBeta(where, parsed.beta, 3000);
  return {
    name,
    needsFeatures: true,
    compute: (ctx) =>
      computeFeatureLoss(where, ctx, weights, beta, 'sp', {}, (s, t) => ({
        main: similarityPreservingTerm(s, t),
      })),
  };
}

export const similarityPreservingLossEntry: LossEntry = {
  name: 'sp',
  description:
    'Similarity-preserving KD (Tung & Mori): CE + beta·‖G_s − G_t‖²/b² of batch similarity matrices; beta=3000.',
  factory: createSimilarityPreservingLoss,
};
