import * as tf from '@tensorflow/tfjs-core';
import {
  type DistillationOptions,
  distillationTerms,
  resolveDistillationOptions,
  SOFT_TARGETS,
  type SoftTarget,
} from './distillation-loss.js';
import type { LossEntry } from './internal/loss-entry.js';
import { parseLossOptions } from './internal/options.js';
import { requireTeacherLogits, UNLABELLED } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

const HINTON_OPTIONS = {
  temperature: 'number',
  alpha: 'number',
  soft: SOFT_TARGETS,
  labelSmoothing: 'number',
  allowProbabilities: 'boolean',
} as const;

/**
 * Builds the registered Hinton loss: {@link distillationLoss} over a step's context, with
 * labels −1 marking unlabelled examples (a batch without labels has hard = 0).
 * Terms: `{ total, soft, hard }`.
 */
export function createHintonLoss(
  name: string,
  options: Record<string, unknown> | undefined,
  defaultSoft: SoftTarget,
): DistillationLoss {
  const parsed = parseLossOptions(name, options, HINTON_OPTIONS);
  const where = `loss '${name}'`;
  const resolved = resolveDistillationOptions(where, {
    ...(parsed as DistillationOptions),
    soft: parsed.soft ?? defaultSoft,
    ignoreIndex: UNLABELLED,
  });
  return {
    name,
    compute: (ctx) =>
      tf.tidy(() =>
        distillationTerms(
          where,
          {
            studentLogits: ctx.studentLogits,
            teacherLogits: requireTeacherLogits(where, ctx),
            ...(ctx.labels === undefined ? {} : { labels: ctx.labels }),
          },
          resolved,
          true,
        ),
      ),
  };
}

export const hintonLossEntry: LossEntry = {
  name: 'hinton',
  description:
    'Hinton KD: alpha·T²·soft cross-entropy at T (or KL) + (1 − alpha)·hard CE; options temperature=4, alpha=0.9, soft.',
  factory: (options) => createHintonLoss('hinton', options, 'cross-entropy'),
};

export const klLossEntry: LossEntry = {
  name: 'kl',
  description:
    "Hinton KD with KL(p^T ‖ q^T) as the soft term (0 when student = teacher); same options as 'hinton'.",
  factory: (options) => createHintonLoss('kl', options, 'kl'),
};
