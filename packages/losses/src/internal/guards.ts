import { assertDtype, assertOneOf, assertPositive, assertRank, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { Reduction } from '../types.js';

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Row sums within this distance of 1 (with no negative entry) look like probabilities. */
export const PROBABILITY_TOLERANCE = 1e-3;

/** Throws unless `logits` is a float32 [batch, classes] tensor with at least one class. */
export function assertLogits(where: string, arg: string, logits: tf.Tensor): void {
  assertRank(where, arg, logits, 2);
  assertDtype(where, arg, logits, ['float32']);
  if ((logits.shape[1] ?? 0) < 1) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: '${arg}' has no classes (shape [${logits.shape.join(', ')}]).`,
    );
  }
}

/** Throws unless both are float32 [batch, classes] logits of the same shape. */
export function assertLogitsPair(
  where: string,
  argA: string,
  a: tf.Tensor,
  argB: string,
  b: tf.Tensor,
): void {
  assertLogits(where, argA, a);
  assertLogits(where, argB, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: batch mismatch: '${argA}' [${a.shape.join(', ')}] has ${a.shape[0]} rows, '${argB}' [${b.shape.join(', ')}] has ${b.shape[0]}.`,
    );
  }
  if (a.shape[1] !== b.shape[1]) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: class mismatch: '${argA}' [${a.shape.join(', ')}] has ${a.shape[1]} classes, '${argB}' [${b.shape.join(', ')}] has ${b.shape[1]}.`,
    );
  }
}

export function assertTemperature(where: string, temperature: number): void {
  assertPositive(where, 'temperature', temperature);
}

export function assertReduction(where: string, reduction: string): asserts reduction is Reduction {
  assertOneOf(where, 'reduction', reduction, REDUCTIONS);
}

/**
 * A data-dependent check. `stats` builds a small float32 vector (inside a tidy);
 * `verify` reads its slice of the values and throws if they are wrong.
 */
export interface Probe {
  readonly stats: () => tf.Tensor1D;
  readonly verify: (values: readonly number[]) => void;
}

/**
 * Runs every probe with one small reduction per probe and ONE read from the backend,
 * so a loss call pays a single sync however many arguments it checks.
 */
export function runProbes(probes: readonly Probe[]): void {
  if (probes.length === 0) return;
  const sizes: number[] = [];
  const values = tf.tidy(() => {
    const parts = probes.map((probe) => {
      const part = tf.cast(probe.stats(), 'float32');
      sizes.push(part.size);
      return part;
    });
    return tf.concat(parts);
  });
  const data = Array.from(values.dataSync());
  values.dispose();
  let offset = 0;
  probes.forEach((probe, i) => {
    const size = sizes[i] ?? 0;
    probe.verify(data.slice(offset, offset + size));
    offset += size;
  });
}

/**
 * Throws when `logits` looks like probabilities: every entry ≥ 0 and every row summing to 1
 * within 1e-3. Passing softmax outputs where logits are expected is the most common KD bug.
 */
export function probabilityProbe(where: string, arg: string, logits: tf.Tensor2D): Probe {
  return {
    stats: () => {
      const deviation = tf.max(tf.abs(tf.sub(tf.sum(logits, 1), 1)));
      return tf.stack([tf.min(logits), deviation]) as tf.Tensor1D;
    },
    verify: ([minimum = Number.NaN, deviation = Number.NaN]) => {
      if (minimum >= 0 && deviation <= PROBABILITY_TOLERANCE) {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `${where}: '${arg}' [${logits.shape.join(', ')}] looks like probabilities (every entry ≥ 0, every row sums to 1), but logits (pre-softmax scores) are expected. Pass the model's raw outputs, or set { allowProbabilities: true } if these really are logits.`,
        );
      }
    },
  };
}

/** Probes for each logits argument unless probabilities were explicitly allowed. */
export function probabilityProbes(
  where: string,
  entries: readonly (readonly [string, tf.Tensor2D])[],
  allowProbabilities: boolean | undefined,
): Probe[] {
  if (allowProbabilities === true) return [];
  return entries.map(([arg, logits]) => probabilityProbe(where, arg, logits));
}

/**
 * Checks a teacher/student pair of logits (see {@link assertLogitsPair}) and returns the probes
 * that refuse probabilities passed as logits (none when `allowProbabilities`), to run last.
 */
export function teacherStudentProbes(
  where: string,
  inputs: { readonly student: tf.Tensor2D; readonly teacher: tf.Tensor2D },
  allowProbabilities: boolean | undefined,
): Probe[] {
  const { student, teacher } = inputs;
  assertLogitsPair(where, 'teacher', teacher, 'student', student);
  return probabilityProbes(
    where,
    [
      ['teacher', teacher],
      ['student', student],
    ],
    allowProbabilities,
  );
}

/**
 * Checks int32 class ids: every id other than `ignoreIndex` must be in [0, numClasses).
 */
export function classIdProbe(
  where: string,
  arg: string,
  labels: tf.Tensor1D,
  numClasses: number,
  ignoreIndex: number | undefined,
): Probe {
  return {
    stats: () => {
      const ids = tf.cast(labels, 'float32');
      const kept =
        ignoreIndex === undefined
          ? tf.cast(tf.onesLike(labels), 'bool')
          : tf.notEqual(labels, tf.scalar(ignoreIndex, 'int32'));
      const low = tf.min(tf.where(kept, ids, tf.fill(ids.shape, 0)));
      const high = tf.max(tf.where(kept, ids, tf.fill(ids.shape, 0)));
      return tf.stack([low, high]) as tf.Tensor1D;
    },
    verify: ([low = 0, high = 0]) => {
      if (low < 0 || high >= numClasses) {
        const bad = low < 0 ? low : high;
        const ignored =
          ignoreIndex === undefined ? '' : ` (or ${ignoreIndex} for an unlabelled example)`;
        throw new KdkitError(
          'OUT_OF_RANGE',
          `${where}: '${arg}' [${labels.shape.join(', ')}] holds class id ${bad}, but ids must be in [0, ${numClasses - 1}]${ignored}.`,
        );
      }
    },
  };
}

/** Checks target rows: every entry ≥ 0 and every row summing to 1 within 1e-3. */
export function distributionProbe(where: string, arg: string, rows: tf.Tensor2D): Probe {
  return {
    stats: () => {
      const deviation = tf.max(tf.abs(tf.sub(tf.sum(rows, 1), 1)));
      return tf.stack([tf.min(rows), deviation]) as tf.Tensor1D;
    },
    verify: ([minimum = Number.NaN, deviation = Number.NaN]) => {
      if (!(minimum >= 0 && deviation <= PROBABILITY_TOLERANCE)) {
        throw new KdkitError(
          'OUT_OF_RANGE',
          `${where}: '${arg}' [${rows.shape.join(', ')}] must hold one-hot or probability rows (entries ≥ 0, rows summing to 1), got a minimum entry of ${minimum} and a row sum off by ${deviation}.`,
        );
      }
    },
  };
}
