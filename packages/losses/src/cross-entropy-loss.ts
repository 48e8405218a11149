import { assertInRange, KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import {
  assertLabels,
  type HardCrossEntropyOptions,
  hardCrossEntropyPerExample,
  labelProbe,
} from './hard-cross-entropy.js';
import { assertLogits, probabilityProbes, runProbes } from './internal/guards.js';
import { assertContext } from './internal/inputs.js';
import type { LossEntry } from './internal/loss-entry.js';
import { factoryWhere, type OptionSpec, parseLossOptions } from './internal/options.js';
import { UNLABELLED } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

/** Options of the registered 'ce' loss. */
export type CrossEntropyLossOptions = Pick<
  HardCrossEntropyOptions,
  'labelSmoothing' | 'allowProbabilities'
>;

const CROSS_ENTROPY_LOSS_OPTIONS: OptionSpec<CrossEntropyLossOptions> = {
  labelSmoothing: 'number',
  allowProbabilities: 'boolean',
};

/**
 * Builds the registered 'ce' loss: plain hard cross-entropy for supervised training (no
 * teacher), averaged over labelled examples (−1 = unlabelled). Terms: `{ total, hard }`.
 */
export function createCrossEntropyLoss(options: CrossEntropyLossOptions = {}): DistillationLoss {
  const name = 'ce';
  const where = `loss '${name}'`;
  const labelSmoothing = options.labelSmoothing ?? 0;
  assertInRange(where, 'labelSmoothing', labelSmoothing, 0, 1);
  return {
    name,
    compute: (ctx) => {
      assertContext(where, ctx);
      const { student, labels } = ctx;
      assertLogits(where, 'student', student);
      if (labels === undefined) {
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `${where}: ctx.labels is missing; supervised cross-entropy needs labels.`,
        );
      }
      assertLabels(where, labels, student);
      runProbes([
        ...probabilityProbes(where, [['student', student]], options.allowProbabilities),
        labelProbe(where, labels, student.shape[1], UNLABELLED),
      ]);
      return tf.tidy(() => {
        const { perExample, count } = hardCrossEntropyPerExample(
          { student, labels },
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
  factory: (options) =>
    createCrossEntropyLoss(
      parseLossOptions(factoryWhere('ce'), options, CROSS_ENTROPY_LOSS_OPTIONS),
    ),
};
