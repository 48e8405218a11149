import { assertInRange } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import {
  computeFeatureLoss,
  FEATURE_OPTION_SPEC,
  type FeatureLossOptions,
  resolveBeta,
} from './internal/feature-loss.js';
import { assertFeaturePairs, featureLists } from './internal/features.js';
import type { LossEntry } from './internal/loss-entry.js';
import { flattenBatch } from './internal/normalize.js';
import { factoryWhere, type OptionSpec, parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss, FeatureInputs, FeaturePair } from './types.js';

const DISTANCE_FLOOR = 1e-12;
// Squared-norm floor of the angle term's norms (as l2Normalize's).
const NORM_FLOOR = 1e-24;
// A pair is resolved when ‖e_i − e_j‖² exceeds this fraction of ‖e_i‖² + ‖e_j‖² (centred).
const RESOLUTION = 1e-6;

/** Huber / smooth-L1 with δ = 1, averaged: 0.5·min(d, 1)² + (d − min(d, 1)), no branch. */
function smoothL1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  const diff = tf.abs(tf.sub(a, b));
  const inner = tf.minimum(diff, 1);
  return tf.mean(tf.add(tf.mul(tf.square(inner), 0.5), tf.sub(diff, inner))) as tf.Scalar;
}

/** A batch's pairwise geometry, computed once for both RKD terms. */
interface BatchGeometry {
  readonly batch: number;
  /** Gram matrix of the centred embeddings, [b, b]. */
  readonly gram: tf.Tensor2D;
  /** Its diagonal, ‖e_i‖² (centred), [b]. */
  readonly diagonal: tf.Tensor1D;
  /** ‖e_i‖² + ‖e_j‖², [b, b]. */
  readonly scale: tf.Tensor2D;
  /** ‖e_i − e_j‖² = scale − 2G, ≥ 0 and exactly 0 on the diagonal, [b, b]. */
  readonly d2: tf.Tensor2D;
}

/**
 * Centring changes no difference e_j − e_i and keeps the Gram entries small (less cancellation).
 * From the Gram matrix, memory is O(b²) whatever the embedding size.
 */
function batchGeometry(embeddings: tf.Tensor2D): BatchGeometry {
  const batch = embeddings.shape[0];
  const centered: tf.Tensor2D = tf.sub(embeddings, tf.mean(embeddings, 0, true));
  const gram: tf.Tensor2D = tf.matMul(centered, centered, false, true);
  const diagonal: tf.Tensor1D = tf.sum(tf.mul(gram, tf.eye(batch)), 1);
  const scale: tf.Tensor2D = tf.add(tf.expandDims(diagonal, 1), tf.expandDims(diagonal, 0));
  const d2 = tf.relu(tf.sub(scale, tf.mul(gram, 2))) as tf.Tensor2D;
  return { batch, gram, diagonal, scale, d2 };
}

/** Pairwise Euclidean distances [b, b] with a zero diagonal, divided by their off-diagonal mean. */
function normalizedDistances({ batch, d2 }: BatchGeometry): tf.Tensor2D {
  const offDiagonal = tf.sub(1, tf.eye(batch));
  const distances = tf.mul(tf.sqrt(tf.maximum(d2, DISTANCE_FLOOR)), offDiagonal);
  // The floor keeps every off-diagonal distance > 0, so their mean is over b(b − 1) entries.
  const meanDistance = tf.div(tf.sum(distances), Math.max(batch * (batch - 1), 1));
  return tf.div(distances, tf.maximum(meanDistance, DISTANCE_FLOOR)) as tf.Tensor2D;
}

/**
 * Cosines of all angles ∠(e_j − e_i, e_k − e_i), flattened to [b³], from the Gram matrix:
 * (e_j − e_i)·(e_k − e_i) = G_jk − G_ij − G_ik + G_ii, so memory is O(b³) whatever the
 * embedding size (a [b, b, d] tensor of differences would be 411 MB at b = 128, d = 6,272).
 * Angles at a pair closer than float32 can resolve (i = j, duplicates) are 0, as for a zero vector.
 */
function tripletAngles({ batch, gram, diagonal, scale, d2 }: BatchGeometry): tf.Tensor1D {
  // Resolvable where ‖e_j − e_i‖² is above float32's rounding of G.
  const resolved = tf.step(tf.sub(d2, tf.mul(scale, RESOLUTION)));
  // Unresolved pairs divide by 1 (and are zeroed), so no gradient meets a tiny norm.
  const norms = tf.add(tf.mul(tf.sqrt(tf.add(d2, NORM_FLOOR)), resolved), tf.sub(1, resolved));
  const dots = tf.add(
    tf.sub(tf.sub(tf.expandDims(gram, 0), tf.expandDims(gram, 2)), tf.expandDims(gram, 1)),
    tf.reshape(diagonal, [batch, 1, 1]),
  );
  const mask = tf.mul(tf.expandDims(resolved, 2), tf.expandDims(resolved, 1));
  const norm2 = tf.mul(tf.expandDims(norms, 2), tf.expandDims(norms, 1));
  return tf.reshape(tf.div(tf.mul(dots, mask), norm2), [-1]) as tf.Tensor1D;
}

export type RelationalKdTerms = {
  /** distanceWeight · distance + angleWeight · angle. */
  readonly total: tf.Scalar;
  readonly distance: tf.Scalar;
  readonly angle: tf.Scalar;
};

/** Unchecked RKD terms summed over pairs. */
export function relationalKdTerms(
  { student, teacher }: FeaturePair,
  { distanceWeight, angleWeight }: Required<RelationalKdOptions>,
): RelationalKdTerms {
  const distances: tf.Scalar[] = [];
  const angles: tf.Scalar[] = [];
  student.forEach((s, i) => {
    const gs = batchGeometry(flattenBatch(s));
    const gt = batchGeometry(flattenBatch(teacher[i] as tf.Tensor));
    distances.push(smoothL1(normalizedDistances(gs), normalizedDistances(gt)));
    angles.push(angleWeight > 0 ? smoothL1(tripletAngles(gs), tripletAngles(gt)) : tf.scalar(0));
  });
  const distance = tf.addN(distances) as tf.Scalar;
  const angle = tf.addN(angles) as tf.Scalar;
  const total = tf.add(tf.mul(distance, distanceWeight), tf.mul(angle, angleWeight)) as tf.Scalar;
  return { total, distance, angle };
}

export interface RelationalKdOptions {
  /** Weight of the distance term. Default 25. */
  readonly distanceWeight?: number;
  /** Weight of the angle term (0 skips it). Default 50. */
  readonly angleWeight?: number;
}

const RKD_OPTIONS: OptionSpec<RelationalKdOptions> = {
  distanceWeight: 'number',
  angleWeight: 'number',
};

/** Options of the registered 'rkd' loss. */
export interface RelationalKdLossOptions extends FeatureLossOptions, RelationalKdOptions {}

const RKD_LOSS_OPTIONS: OptionSpec<RelationalKdLossOptions> = {
  ...FEATURE_OPTION_SPEC,
  ...RKD_OPTIONS,
};

/** RKD's term weights (the paper's), and the registered 'rkd' loss's beta. */
export const RKD_DEFAULTS = Object.freeze({ distanceWeight: 25, angleWeight: 50, beta: 1 });

function resolveRkd(where: string, options: RelationalKdOptions): Required<RelationalKdOptions> {
  const { distanceWeight = RKD_DEFAULTS.distanceWeight, angleWeight = RKD_DEFAULTS.angleWeight } =
    options;
  assertInRange(where, 'distanceWeight', distanceWeight, 0, Number.MAX_VALUE);
  assertInRange(where, 'angleWeight', angleWeight, 0, Number.MAX_VALUE);
  return { distanceWeight, angleWeight };
}

/**
 * Relational knowledge distillation (RKD, Park et al. 2019): the student reproduces the
 * *relations* between examples in a batch rather than the outputs. Distance term: smooth-L1
 * between the pairwise distances, each divided by its mean. Angle term: smooth-L1 between the
 * cosines of all triplet angles ∠(e_j − e_i, e_k − e_i).
 * `total = distanceWeight · distance + angleWeight · angle`, summed over feature pairs.
 * The angle term takes O(b³) memory and O(b²·d + b³) time, from the Gram matrix of the batch.
 *
 * Inputs are **features** (embeddings), not logits or probabilities.
 *
 * @param inputs `{ student, teacher }`: embeddings (any shape [b, ...], flattened) or aligned
 *   lists of them; sizes may differ between student and teacher.
 * @param options distanceWeight 25, angleWeight 50 (`RKD_DEFAULTS`, the paper's settings).
 * @returns scalars `{ total, distance, angle }`.
 * @example
 * const { total } = relationalKdLoss({ student: studentEmbedding, teacher: teacherEmbedding });
 */
export function relationalKdLoss(
  inputs: FeatureInputs,
  options: RelationalKdOptions = {},
): RelationalKdTerms {
  const where = 'relationalKdLoss';
  const features = featureLists(where, inputs);
  const weights = resolveRkd(where, parseLossOptions(where, options, RKD_OPTIONS));
  assertFeaturePairs(where, features);
  return tf.tidy(() => relationalKdTerms(features, weights));
}

/**
 * Registered 'rkd': `total = ceWeight · hard + beta · (distanceWeight · distance + angleWeight · angle)`
 * (+ kdWeight · T² · soft). Options: {@link RelationalKdLossOptions}, defaults {@link RKD_DEFAULTS}.
 * Terms: `{ total, hard, rkd, distance, angle }`.
 */
export function createRelationalKdLoss(options: RelationalKdLossOptions = {}): DistillationLoss {
  const name = 'rkd';
  const where = `loss '${name}'`;
  const weights = resolveTaskWeights(where, options);
  const beta = resolveBeta(where, options.beta, RKD_DEFAULTS.beta);
  const rkdWeights = resolveRkd(where, options);
  return {
    name,
    needsFeatures: true,
    compute: (ctx) =>
      computeFeatureLoss(where, ctx, weights, beta, 'rkd', {}, (features) => {
        const { total, distance, angle } = relationalKdTerms(features, rkdWeights);
        return { main: total, extra: { distance, angle } };
      }),
  };
}

const { distanceWeight, angleWeight, beta } = RKD_DEFAULTS;

export const relationalKdLossEntry: LossEntry = {
  name: 'rkd',
  description: `Relational KD (Park et al.): CE + beta·(${distanceWeight}·distance + ${angleWeight}·angle) smooth-L1 terms on batch relations; beta=${beta}.`,
  factory: (options) =>
    createRelationalKdLoss(parseLossOptions(factoryWhere('rkd'), options, RKD_LOSS_OPTIONS)),
};
