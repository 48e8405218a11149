import { assertPositive } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { computeFeatureLoss, FEATURE_OPTION_SPEC, resolveBeta } from './internal/feature-loss.js';
import { assertFeaturePairs } from './internal/features.js';
import type { LossEntry } from './internal/loss-entry.js';
import { flattenBatch, l2Normalize } from './internal/normalize.js';
import { parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

/** Conditional probabilities from cosine similarities: rows of (cos + 1)/2, normalized, [b, b]. */
export function cosineConditionals(features: tf.Tensor): tf.Tensor2D {
  const unit = l2Normalize(flattenBatch(features), 1);
  const shifted = tf.div(tf.add(tf.matMul(unit, unit, false, true), 1), 2);
  return tf.div(shifted, tf.sum(shifted, 1, true)) as tf.Tensor2D;
}

/** Unchecked Σ_pairs mean(P_t · (log(P_t + ε) − log(P_s + ε))). */
export function pktTerm(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  eps: number,
): tf.Scalar {
  const perPair = studentFeatures.map((s, i) => {
    const ps = cosineConditionals(s);
    const pt = cosineConditionals(teacherFeatures[i] as tf.Tensor);
    return tf.mean(tf.mul(pt, tf.sub(tf.log(tf.add(pt, eps)), tf.log(tf.add(ps, eps)))));
  });
  return tf.addN(perPair) as tf.Scalar;
}

/**
 * Probabilistic knowledge transfer (PKT, Passalis & Tefas 2018): turns each model's cosine
 * similarities within the batch into conditional probabilities `P_ij = (cos_ij + 1)/2`,
 * normalized per row, and minimizes the KL-style divergence
 * `Σ_pairs mean_ij P_t,ij (log(P_t,ij + ε) − log(P_s,ij + ε))`. Feature sizes may differ.
 *
 * Inputs are **features** (activations or embeddings), not logits or probabilities.
 *
 * @param studentFeatures student features (NHWC or [b, d]).
 * @param teacherFeatures teacher features.
 * @param options eps (default 1e-7).
 * @example
 * const pkt = pktLoss([studentEmbedding], [teacherEmbedding]);
 */
export function pktLoss(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  options: { readonly eps?: number } = {},
): tf.Scalar {
  const where = 'pktLoss';
  const { eps = 1e-7 } = options;
  assertPositive(where, 'eps', eps);
  assertFeaturePairs(where, studentFeatures, teacherFeatures);
  return tf.tidy(() => pktTerm(studentFeatures, teacherFeatures, eps));
}

/**
 * Registered 'pkt': `total = ceWeight · hard + beta · pkt` (+ kdWeight · T² · soft).
 * Options beta=30000, ceWeight=1, kdWeight=0, temperature=4.
 */
export function createPktLoss(options?: Record<string, unknown>): DistillationLoss {
  const name = 'pkt';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, FEATURE_OPTION_SPEC);
  const weights = resolveTaskWeights(where, parsed);
  const beta = resolveBeta(where, parsed.beta, 30000);
  return {
    name,
    needsFeatures: true,
    compute: (ctx) =>
      computeFeatureLoss(where, ctx, weights, beta, 'pkt', {}, (s, t) => ({
        main: pktTerm(s, t, 1e-7),
      })),
  };
}

export const pktLossEntry: LossEntry = {
  name: 'pkt',
  description:
    'Probabilistic knowledge transfer (Passalis & Tefas): CE + beta·divergence of cosine-similarity distributions; beta=30000.',
  factory: createPktLoss,
};
