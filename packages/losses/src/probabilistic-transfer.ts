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

export interface PktOptions {
  /** ε inside the logs. Default 1e-7. */
  readonly eps?: number;
}

const PKT_OPTIONS: OptionSpec<PktOptions> = { eps: 'number' };

/** PKT's ε, and the registered 'pkt' loss's beta (the CRD code's). */
export const PKT_DEFAULTS = Object.freeze({ eps: 1e-7, beta: 30000 });

/** Conditional probabilities from cosine similarities: rows of (cos + 1)/2, normalized, [b, b]. */
export function cosineConditionals(features: tf.Tensor): tf.Tensor2D {
  const unit = l2Normalize(flattenBatch(features), 1);
  const shifted = tf.div(tf.add(tf.matMul(unit, unit, false, true), 1), 2);
  return tf.div(shifted, tf.sum(shifted, 1, true)) as tf.Tensor2D;
}

/** Unchecked Σ_pairs mean(P_t · (log(P_t + ε) − log(P_s + ε))). */
export function pktTerm({ student, teacher }: FeaturePair, eps: number): tf.Scalar {
  const perPair = student.map((s, i) => {
    const ps = cosineConditionals(s);
    const pt = cosineConditionals(teacher[i] as tf.Tensor);
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
 * @param inputs `{ student, teacher }`: features (NHWC or [b, d]) or aligned lists of them.
 * @param options eps (default 1e-7).
 * @example
 * const pkt = pktLoss({ student: studentEmbedding, teacher: teacherEmbedding });
 */
export function pktLoss(inputs: FeatureInputs, options: PktOptions = {}): tf.Scalar {
  const where = 'pktLoss';
  const features = featureLists(where, inputs);
  const { eps = PKT_DEFAULTS.eps } = parseLossOptions(where, options, PKT_OPTIONS);
  assertPositive(where, 'eps', eps);
  assertFeaturePairs(where, features);
  return tf.tidy(() => pktTerm(features, eps));
}

/**
 * Registered 'pkt': `total = ceWeight · hard + beta · pkt` (+ kdWeight · T² · soft).
 * Options: {@link FeatureLossOptions}, defaults {@link PKT_DEFAULTS}.
 */
export function createPktLoss(options: FeatureLossOptions = {}): DistillationLoss {
  const name = 'pkt';
  const where = `loss '${name}'`;
  const weights = resolveTaskWeights(where, options);
  const beta = resolveBeta(where, options.beta, PKT_DEFAULTS.beta);
  return {
    name,
    needsFeatures: true,
    compute: (ctx) =>
      computeFeatureLoss(where, ctx, weights, beta, 'pkt', {}, (features) => ({
        main: pktTerm(features, PKT_DEFAULTS.eps),
      })),
  };
}

export const pktLossEntry: LossEntry = {
  name: 'pkt',
  description: `Probabilistic knowledge transfer (Passalis & Tefas): CE + beta·divergence of cosine-similarity distributions; beta=${PKT_DEFAULTS.beta}.`,
  factory: (options) =>
    createPktLoss(parseLossOptions(factoryWhere('pkt'), options, FEATURE_OPTION_SPEC)),
};
