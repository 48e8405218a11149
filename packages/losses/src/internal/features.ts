import { KdkitError } from '@kdkit/engine';
import type * as tf from '@tensorflow/tfjs-core';
import type { FeatureInputs, FeaturePair, LossContext } from '../types.js';
import { assertInputs } from './inputs.js';

export interface FeaturePairRules {
  /** Every map must be NHWC (rank 4). */
  readonly rank4?: boolean;
  /** Student and teacher maps must agree on every axis but the last (channels). */
  readonly sameSpatial?: boolean;
}

/** A feature loss's `{ student, teacher }`, checked to be named inputs, as two lists. */
export function featureLists(where: string, inputs: FeatureInputs): FeaturePair {
  assertInputs(where, inputs, ['student', 'teacher']);
  const list = (x: tf.Tensor | readonly tf.Tensor[]) => (Array.isArray(x) ? x : [x as tf.Tensor]);
  return { student: list(inputs.student), teacher: list(inputs.teacher) };
}

/** Checks two aligned feature lists: same length (≥ 1), float32, rank ≥ 2, same batch. */
export function assertFeaturePairs(
  where: string,
  { student, teacher }: FeaturePair,
  rules: FeaturePairRules = {},
): void {
  if (student.length === 0 || student.length !== teacher.length) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: 'student' has ${student.length} feature maps and 'teacher' has ${teacher.length}; they must be aligned lists of at least one.`,
    );
  }
  student.forEach((s, i) => {
    const t = teacher[i] as tf.Tensor;
    const pair = `'student[${i}]' [${s.shape.join(', ')}] and 'teacher[${i}]' [${t.shape.join(', ')}]`;
    for (const [arg, x] of [
      [`student[${i}]`, s],
      [`teacher[${i}]`, t],
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

/** ctx.features, or an error saying the model needs `withFeatures` taps. */
export function requireFeatures(where: string, ctx: LossContext): FeaturePair {
  if (ctx.features === undefined) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ctx.features ({ student, teacher } feature maps) is required; tap both models with withFeatures.`,
    );
  }
  return ctx.features;
}
