import { assertPositive } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { computeFeatureLoss, FEATURE_OPTION_SPEC, resolveBeta } from './internal/feature-loss.js';
import { assertFeaturePairs } from './internal/features.js';
import type { LossEntry } from './internal/loss-entry.js';
import { flattenBatch, l2Normalize } from './internal/normalize.js';
import { parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

/** Spatial attention map of an NHWC map: l2-normalized mean over channels of |x|^p, [b, h·w]. */
export function attentionMap(features: tf.Tensor4D, p: number): tf.Tensor2D {
  const powered = p === 2 ? tf.square(features) : tf.pow(tf.abs(features), p);
  return l2Normalize(flattenBatch(tf.mean(powered, 3)), 1);
}

/** Unchecked Σ_pairs mean((A_s − A_t)²). */
export function attentionTransferTerm(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  p: number,
): tf.Scalar {
  const perPair = studentFeatures.map((s, i) =>
    tf.mean(
      tf.squaredDifference(
        attentionMap(s as tf.Tensor4D, p),
        attentionMap(teacherFeatures[i] as tf.Tensor4D, p),
      ),
    ),
  );
  return tf.addN(perPair) as tf.Scalar;
}

/**
 * Attention transfer (Zagoruyko & Komodakis 2017): for each pair of NHWC maps, the spatial
 * attention `A = normalize(mean_c |x|^p)` (flattened over h·w, unit L2 norm per example) and
 * the loss `Σ_pairs mean((A_s − A_t)²)`. Channels may differ; spatial sizes must match.
 *
 * Inputs are **features** (activations), not logits or probabilities.
 *
 * @param studentFeatures student NHWC maps [b, h, w, c_s].
 * @param teacherFeatures teacher NHWC maps [b, h, w, c_t].
 * @param options p (default 2).
 * @example
 * const at = attentionTransferLoss([s1, s2], [t1, t2]);
 */
export function attentionTransferLoss(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  options: { readonly p?: number } = {},
): tf.Scalar {
  const where = 'attentionTransferLoss';
  const { p = 2 } = options;
  assertPositive(where, 'p', p);
  assertFeaturePairs(where, studentFeatures, teacherFeatures, { rank4: true, sameSpatial: true });
  return tf.tidy(() => attentionTransferTerm(studentFeatures, teacherFeatures, p));
}

/**
 * Registered 'at': `total = ceWeight · hard + beta · at` (+ kdWeight · T² · soft).
 * Options beta=1000, p=2, ceWeight=1, kdWeight=0, temperature=4.
 */
export function createAttentionTransferLoss(options?: Record<string, unknown>): DistillationLoss {
  const name = 'at';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, { ...FEATURE_OPTION_SPEC, p: 'number' });
  const weights = resolveTaskWeights(where, parsed);
  const beta = resolveBeta(where, parsed.beta, 1000);
  const p = parsed.p ?? 2;
  assertPositive(where, 'p', p);
  return {
    name,
    needsFeatures: true,
    compute: (ctx) =>
      computeFeatureLoss(
        where,
        ctx,
        weights,
        beta,
        'at',
        { rank4: true, sameSpatial: true },
        (s, t) => ({
          main: attentionTransferTerm(s, t, p),
        }),
      ),
  };
}

export const attentionTransferLossEntry: LossEntry = {
  name: 'at',
  description:
    'Attention transfer (Zagoruyko & Komodakis): CE + beta·Σ‖A_s − A_t‖² on NHWC maps; beta=1000, p=2.',
  factory: createAttentionTransferLoss,
};
