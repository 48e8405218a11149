// A user's own distillation loss, kept in its own file: Hinton KD plus an entropy bonus that
// keeps the student from becoming over-confident. Register it once, then use it by name.
import {
  type DistillationLoss,
  distillationLoss,
  getLoss,
  KD_DEFAULTS,
  registerLoss,
} from '@kdkit/losses';
import * as tf from '@tensorflow/tfjs-core';

export interface ConfidencePenaltyOptions {
  readonly temperature?: number;
  readonly alpha?: number;
  /** Weight of the penalty on the student's confidence (negative entropy). */
  readonly penalty?: number;
}

export function createConfidencePenaltyLoss(
  options: ConfidencePenaltyOptions = {},
): DistillationLoss {
  const {
    temperature = KD_DEFAULTS.temperature,
    alpha = KD_DEFAULTS.alpha,
    penalty = 0.1,
  } = options;
  return {
    name: 'kd-confidence-penalty',
    compute: ({ student, teacher, labels }) =>
      tf.tidy(() => {
        if (teacher === undefined) throw new Error('kd-confidence-penalty needs teacher logits');
        const { total, soft, hard } = distillationLoss(
          { student, teacher, labels },
          { temperature, alpha },
        );
        // Σ q log q is the negative entropy of the student's prediction at T = 1.
        const logQ = tf.logSoftmax(student);
        const confidence = tf.mean(tf.sum(tf.mul(tf.exp(logQ), logQ), 1)) as tf.Scalar;
        return {
          total: tf.add(total, tf.mul(confidence, penalty)) as tf.Scalar,
          soft,
          hard,
          confidence,
        };
      }),
  };
}

registerLoss(
  'kd-confidence-penalty',
  (options) => createConfidencePenaltyLoss(options as ConfidencePenaltyOptions),
  {
    description: 'Hinton KD plus a penalty on over-confident student predictions.',
  },
);

// Anywhere after the import above (a trainer, the CLI's --loss), the loss is found by name:
export const myLoss = getLoss('kd-confidence-penalty', { temperature: 2, penalty: 0.05 });
