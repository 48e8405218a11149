import { assertDtype, assertInRange, assertRank, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import {
  assertLogits,
  assertReduction,
  classIdProbe,
  distributionProbe,
  type Probe,
  probabilityProbe,
  REDUCTIONS,
  runProbes,
} from './internal/guards.js';
import { assertInputs } from './internal/inputs.js';
import { type OptionSpec, parseLossOptions } from './internal/options.js';
import { reduceLoss } from './internal/reduce.js';
import type { LabelledInputs, Reduction } from './types.js';

export interface HardCrossEntropyOptions {
  /** 'mean' (default; over labelled examples), 'sum', or 'none' (one value per example). */
  readonly reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1 − ε)·y + ε/classes. Default 0. */
  readonly labelSmoothing?: number;
  /**
   * A class id that marks an unlabelled example (kdkit uses −1): it contributes 0, and 'mean'
   * averages over labelled examples only (0 when there are none). Only for int32 ids.
   */
  readonly ignoreIndex?: number;
  /** Skip the "looks like probabilities" check on the logits. Default false. */
  readonly allowProbabilities?: boolean;
}

const HARD_CROSS_ENTROPY_OPTIONS: OptionSpec<HardCrossEntropyOptions> = {
  reduction: REDUCTIONS,
  labelSmoothing: 'number',
  ignoreIndex: 'number',
  allowProbabilities: 'boolean',
};

/** Static checks (rank, dtype, shapes) for labels against [batch, classes] student logits. */
export function assertLabels(where: string, labels: tf.Tensor, student: tf.Tensor2D): void {
  const [batch, classes] = student.shape;
  if (labels.rank === 1) {
    assertDtype(where, 'labels', labels, ['int32']);
  } else if (labels.rank === 2) {
    assertDtype(where, 'labels', labels, ['float32']);
    if (labels.shape[1] !== classes) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: class mismatch: 'labels' [${labels.shape.join(', ')}] has ${labels.shape[1]} classes, 'student' [${student.shape.join(', ')}] has ${classes}.`,
      );
    }
  } else {
    assertRank(where, 'labels (int32 class ids [batch] or rows [batch, classes])', labels, 1);
  }
  if (labels.shape[0] !== batch) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: batch mismatch: 'labels' [${labels.shape.join(', ')}] has ${labels.shape[0]} rows, 'student' [${student.shape.join(', ')}] has ${batch}.`,
    );
  }
}

/** The data checks for labels: ids in range, or rows that are distributions. */
export function labelProbe(
  where: string,
  labels: tf.Tensor1D | tf.Tensor2D,
  numClasses: number,
  ignoreIndex: number | undefined,
): Probe {
  return labels.rank === 1
    ? classIdProbe(where, 'labels', labels as tf.Tensor1D, numClasses, ignoreIndex)
    : distributionProbe(where, 'labels', labels as tf.Tensor2D);
}

/** float32 one-hot rows. (tfjs-backend-wasm 4.22's OneHot writes int bits when asked for float32.) */
export function oneHotFloat(ids: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, classes), 'float32') as tf.Tensor2D;
}

/**
 * Unchecked per-example cross-entropy at T = 1 and the number of labelled examples.
 * Ignored examples (id = ignoreIndex) get 0.
 */
export function hardCrossEntropyPerExample(
  { student, labels }: LabelledInputs,
  labelSmoothing: number,
  ignoreIndex: number | undefined,
): { perExample: tf.Tensor1D; count: tf.Scalar } {
  const classes = student.shape[1];
  const logProbs = tf.logSoftmax(student);
  let target: tf.Tensor2D;
  let kept: tf.Tensor1D | undefined;
  if (labels.rank === 1) {
    const ids = labels as tf.Tensor1D;
    if (ignoreIndex === undefined) {
      target = oneHotFloat(ids, classes);
    } else {
      const keep = tf.notEqual(ids, tf.scalar(ignoreIndex, 'int32'));
      kept = tf.cast(keep, 'float32') as tf.Tensor1D;
      target = oneHotFloat(tf.where(keep, ids, tf.zerosLike(ids)), classes);
    }
  } else {
    target = labels as tf.Tensor2D;
  }
  if (labelSmoothing > 0) {
    target = tf.add(tf.mul(target, 1 - labelSmoothing), labelSmoothing / classes);
  }
  let perExample = tf.neg(tf.sum(tf.mul(target, logProbs), 1)) as tf.Tensor1D;
  if (kept !== undefined) perExample = tf.mul(perExample, kept);
  const count = kept === undefined ? tf.scalar(student.shape[0]) : (tf.sum(kept) as tf.Scalar);
  return { perExample, count };
}

/**
 * Cross-entropy with hard (ground-truth) labels at T = 1: `−Σ_i y_i · log softmax(z)_i`.
 * `labels` is either int32 class ids [batch] or one-hot / probability rows [batch, classes].
 * With `labelSmoothing` ε the target is (1 − ε)·y + ε/classes. With `ignoreIndex` (kdkit marks
 * unlabelled examples with −1), those examples are excluded and 'mean' averages over the
 * labelled ones only (0 if none).
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param inputs `student` float32 [batch, classes] logits; `labels` int32 [batch] ids in
 *   [0, classes) (or ignoreIndex), or float32 [batch, classes] rows.
 * @param options reduction ('mean' default), labelSmoothing 0, ignoreIndex (none).
 * @example
 * const ce = hardCrossEntropy({ student, labels: tf.tensor1d([2, -1], 'int32') }, { ignoreIndex: -1 });
 */
export function hardCrossEntropy(
  inputs: LabelledInputs,
  options: HardCrossEntropyOptions = {},
): tf.Tensor {
  const where = 'hardCrossEntropy';
  assertInputs(where, inputs, ['student', 'labels']);
  const {
    reduction = 'mean',
    labelSmoothing = 0,
    ignoreIndex,
    allowProbabilities,
  } = parseLossOptions(where, options, HARD_CROSS_ENTROPY_OPTIONS);
  const { student, labels } = inputs;
  assertLogits(where, 'student', student);
  assertReduction(where, reduction);
  assertInRange(where, 'labelSmoothing', labelSmoothing, 0, 1);
  if (ignoreIndex !== undefined && !Number.isInteger(ignoreIndex)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'ignoreIndex' must be an integer, got ${ignoreIndex}.`,
    );
  }
  assertLabels(where, labels, student);
  const probes = [labelProbe(where, labels, student.shape[1], ignoreIndex)];
  if (allowProbabilities !== true) probes.push(probabilityProbe(where, 'student', student));
  runProbes(probes);
  return tf.tidy(() => {
    const { perExample, count } = hardCrossEntropyPerExample(inputs, labelSmoothing, ignoreIndex);
    return reduceLoss(perExample, reduction, count);
  });
}
