import { assertPositive } from '@kdkit/engine';
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
import { factoryWhere, type OptionSpec, parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss, FeatureInputs, FeaturePair } from './types.js';

export interface AttentionTransferOptions {
  /** Exponent p of |x|^p in the attention map. Default 2. */
  readonly p?: number;
}

const AT_OPTIONS: OptionSpec<AttentionTransferOptions> = { p: 'number' };

/** Options of the registered 'at' loss. */
export interface AttentionTransferLossOptions
  extends FeatureLossOptions,
    AttentionTransferOptions {}

const AT_LOSS_OPTIONS: OptionSpec<AttentionTransferLossOptions> = {
  ...FEATURE_OPTION_SPEC,
  ...AT_OPTIONS,
};

/** The attention exponent p, and the registered 'at' loss's beta (the CRD code's). */
export const AT_DEFAULTS = Object.freeze({ p: 2, beta: 1000 });

/** Spatial attention map of an NHWC map: l2-normalized mean over channels of |x|^p, [b, h·w]. */
export function attentionMap(features: tf.Tensor4D, p: number): tf.Tensor2D {
  const powered = p === 2 ? tf.square(features) : tf.pow(tf.abs(features), p);
  return l2Normalize(flattenBatch(tf.mean(powered, 3)), 1);
}

/** Unchecked Σ_pairs mean((A_s − A_t)²). */
export function attentionTransferTerm({ student, teacher }: FeaturePair, p: number): tf.Scalar {
  const perPair = student.map((s, i) =>
    tf.mean(
      tf.squaredDifference(
        attentionMap(s as tf.Tensor4D, p),
        attentionMap(teacher[i] as tf.Tensor4D, p),
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
 * @param inputs `{ student, teacher }`: NHWC maps [b, h, w, c_s] and [b, h, w, c_t], or
 *   aligned lists of them.
 * @param options p (default 2).
 * @example
 * const at = attentionTransferLoss({ student: [s1, s2], teacher: [t1, t2] });
 */
export function attentionTransferLoss(
  inputs: FeatureInputs,
  options: AttentionTransferOptions = {},
): tf.Scalar {
  const where = 'attentionTransferLoss';
  const features = featureLists(where, inputs);
  const { p = AT_DEFAULTS.p } = parseLossOptions(where, options, AT_OPTIONS);
  assertPositive(where, 'p', p);
  assertFeaturePairs(where, features, { rank4: true, sameSpatial: true });
  return tf.tidy(() => attentionTransferTerm(features, p));
}

/**
 * Registered 'at': `total = ceWeight · hard + beta · at` (+ kdWeight · T² · soft).
 * Options: {@link AttentionTransferLossOptions}, defaults {@link AT_DEFAULTS}.
 */
export function createAttentionTransferLoss(
  options: AttentionTransferLossOptions = {},
): DistillationLoss {
  const name = 'at';
  const where = `loss '${name}'`;
  const weights = resolveTaskWeights(where, options);
  const beta = resolveBeta(where, options.beta, AT_DEFAULTS.beta);
  const p = options.p ?? AT_DEFAULTS.p;
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
        (features) => ({ main: attentionTransferTerm(features, p) }),
      ),
  };
}

export const attentionTransferLossEntry: LossEntry = {
  name: 'at',
  description: `Attention transfer (Zagoruyko & Komodakis): CE + beta·Σ‖A_s − A_t‖² on NHWC maps; beta=${AT_DEFAULTS.beta}, p=${AT_DEFAULTS.p}.`,
  factory: (options) =>
    createAttentionTransferLoss(parseLossOptions(factoryWhere('at'), options, AT_LOSS_OPTIONS)),
};
