import * as tf from '@tensorflow/tfjs-core';
import {
  computeFeatureLoss,
  FEATURE_OPTION_SPEC,
  type FeatureLossOptions,
  resolveBeta,
} from './internal/feature-loss.js';
import { assertFeaturePairs, featureLists } from './internal/features.js';
import type { LossEntry } from './internal/loss-entry.js';
import { flattenBatch, l2Normalize } from './internal/normalize.js';
import { factoryWhere, parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss, FeatureInputs, FeaturePair } from './types.js';

/** The registered 'sp' loss's weight of the similarity term (the CRD code's). */
export const SP_BETA = 3000;

/** Row-normalized batch similarity G = normalize(f fᵀ), [b, b]. */
export function batchSimilarity(features: tf.Tensor): tf.Tensor2D {
  const flat = flattenBatch(features);
  return l2Normalize(tf.matMul(flat, flat, false, true), 1);
}

/** Unchecked Σ_pairs ‖G_s − G_t‖²_F / b². */
export function similarityPreservingTerm({ student, teacher }: FeaturePair): tf.Scalar {
  const perPair = student.map((s, i) => {
    const batch = s.shape[0] ?? 1;
    const diff = tf.squaredDifference(batchSimilarity(s), batchSimilarity(teacher[i] as tf.Tensor));
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
 * @param inputs `{ student, teacher }`: maps (NHWC or [b, d]) or aligned lists of them.
 * @param options none yet; an unknown key is rejected.
 * @example
 * const sp = similarityPreservingLoss({ student: studentMap, teacher: teacherMap });
 */
export function similarityPreservingLoss(
  inputs: FeatureInputs,
  options: Readonly<Record<string, never>> = {},
): tf.Scalar {
  const where = 'similarityPreservingLoss';
  const features = featureLists(where, inputs);
  parseLossOptions(where, options, {});
  assertFeaturePairs(where, features);
  return tf.tidy(() => similarityPreservingTerm(features));
}

/**
 * Registered 'sp': `total = ceWeight · hard + beta · sp` (+ kdWeight · T² · soft).
 * Options: {@link FeatureLossOptions}; beta = {@link SP_BETA}.
 */
export function createSimilarityPreservingLoss(options: FeatureLossOptions = {}): DistillationLoss {
  const name = 'sp';
  const where = `loss '${name}'`;
  const weights = resolveTaskWeights(where, options);
  const beta = resolveBeta(where, options.beta, SP_BETA);
  return {
    name,
    needsFeatures: true,
    compute: (ctx) =>
      computeFeatureLoss(where, ctx, weights, beta, 'sp', {}, (features) => ({
        main: similarityPreservingTerm(features),
      })),
  };
}

export const similarityPreservingLossEntry: LossEntry = {
  name: 'sp',
  description: `Similarity-preserving KD (Tung & Mori): CE + beta·‖G_s − G_t‖²/b² of batch similarity matrices; beta=${SP_BETA}.`,
  factory: (options) =>
    createSimilarityPreservingLoss(
      parseLossOptions(factoryWhere('sp'), options, FEATURE_OPTION_SPEC),
    ),
};
