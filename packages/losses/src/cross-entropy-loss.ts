import { assertInRange, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels, hardCrossEntropyPerExample, labelProbe } from './hard-cross-entropy.js';
import { assertLogits, probabilityProbes, runProbes } from './internal/guards.js';
import type { LossEntry } from './internal/loss-entry.js';
import { parseLossOptions } from './internal/options.js';
import { UNLABELLED } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

/**
 * Builds the registered 'ce' loss: plain hard cross-entropy for supervised training (no
 * teacher), averaged over labelled examples (−1 = unlabelled). Terms: `{ total, hard }`.
 */
export function createCrossEntropyLoss(options?: Record<string, unknown>): DistillationLoss {
  const name = 'ce';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, {
    labelSmoothing: 'number',
    allowProbabilities: 'boolean',
  });
  const labelSmoothing = parsed.labelSmoothing ?? 0;
  assertInRange(where, 'labelSmoothing', labelSmoothing, 0, 1);
  return {
    name,
    compute: (ctx) => {
      const { studentLogits, labels } = ctx;
      assertLogits(where, 'studentLogits', studentLogits);
      if (labels === undefined) {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `${where}: ctx.labels is missing; supervised cross-entropy needs labels.`,
        );
      }
      assertLabels(where, labels, studentLogits);
      runProbes([
        ...probabilityProbes(where, [['studentLogits', studentLogits]], parsed.allowProbabilities),
        labelProbe(where, labels, studentLogits.shape[1], UNLABELLED),
      ]);
      return tf.tidy(() => {
        const { perExample, count } = hardCrossEntropyPerExample(
          labels,
          studentLogits,
          labelSmoothing,
          UNLABELLED,
        );
        const total = tf.div(tf.sum(perExample), tf.maximum(count, 1)) as tf.Scalar;
        return { total, hard: tf.clone(total) };
      });
    },
  };
}

export const crossEntropyLossEntry: LossEntry = {
  name: 'ce',
  description:
    'Plain hard cross-entropy on labelled examples (supervised training, no teacher); option labelSmoothing.',
  factory: createCrossEntropyLoss,
};
