import { KdkitError } from '@kdkit/engine';
import type * as tf from '@tensorflow/tfjs-core';
import type { LossContext } from '../types.js';

export interface FeaturePairRules {
  /** Every map must be NHWC (rank 4). */
  readonly rank4?: boolean;
  /** Student and teacher maps must agree on every axis but the last (channels). */
  readonly sameSpatial?: boolean;
}

/** Checks two aligned feature lists: same length (≥ 1), float32, rank ≥ 2, same batch. */
export function assertFeaturePairs(
  where: string,
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  rules: FeaturePairRules = {},
): void {
  if (studentFeatures.length === 0 || studentFeatures.length !== teacherFeatures.length) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: 'studentFeatures' has ${studentFeatures.length} maps and 'teacherFeatures' has ${teacherFeatures.length}; they must be aligned lists of at least one.`,
    );
  }
  studentFeatures.forEach((s, i) => {
    const t = teacherFeatures[i] as tf.Tensor;
    const pair = `'studentFeatures[${i}]' [${s.shape.join(', ')}] and 'teacherFeatures[${i}]' [${t.shape.join(', ')}]`;
    for (const [arg, x] of [
      [`studentFeatures[${i}]`, s],
      [`teacherFeatures[${i}]`, t],
    ] as const) {
      if (x.dtype !== 'float32') {
        throw new KdkitError(
          'DTYPE_MISMATCH',
          `${where}: '${arg}' must be float32, got ${x.dtype}.`,
        );
      }
      if (rules.rank4 ? x.rank !== 4 : x.rank < 2) {
        throw new KdkitError(
          'SHAPE_MISMATCH',
          `${where}: '${arg}' [${x.shape.join(', ')}] must be ${rules.rank4 ? 'an NHWC map (rank 4)' : 'NHWC maps or [batch, d] vectors'}.`,
        );
      }
    }
    if (s.shape[0] !== t.shape[0]) {
      throw new KdkitError('SHAPE_MISMATCH', `${where}: batch mismatch between ${pair}.`);
    }
    if (rules.sameSpatial) {
      const same = s.rank === t.rank && s.shape.slice(1, -1).every((d, k) => d === t.shape[k + 1]);
      if (!same) {
        throw new KdkitError(
          'SHAPE_MISMATCH',
          `${where}: ${pair} must have the same spatial size (all axes but the channels); resize or pick other taps.`,
        );
      }
    }
  });
}

/** ctx's feature lists, or an error saying the model needs `withFeatures` taps. */
export function requireFeatures(
  where: string,
  ctx: LossContext,
): { student: readonly tf.Tensor[]; teacher: readonly tf.Tensor[] } {
  if (ctx.studentFeatures === undefined || ctx.teacherFeatures === undefined) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ctx.studentFeatures and ctx.teacherFeatures are required (tap both models with withFeatures).`,
    );
  }
  return { student: ctx.studentFeatures, teacher: ctx.teacherFeatures };
}
