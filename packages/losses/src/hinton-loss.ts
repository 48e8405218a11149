import * as tf from '@tensorflow/tfjs-core';
import { KD_DEFAULTS } from './defaults.js';
import {
  DISTILLATION_OPTIONS,
  type DistillationOptions,
  distillationTerms,
  resolveDistillationOptions,
  type SoftTarget,
} from './distillation-loss.js';
import { assertContext } from './internal/inputs.js';
import type { LossEntry } from './internal/loss-entry.js';
import { factoryWhere, omitOptions, parseLossOptions } from './internal/options.js';
import { requireTeacher, UNLABELLED } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

/** Options of the registered 'hinton' and 'kl' losses: `distillationLoss`'s, with labels −1 unlabelled. */
export type HintonLossOptions = Omit<DistillationOptions, 'ignoreIndex'>;

export const HINTON_OPTIONS = omitOptions(DISTILLATION_OPTIONS, ['ignoreIndex']);

/**
 * Builds the registered Hinton loss: {@link distillationLoss} over a step's context, with
 * labels −1 marking unlabelled examples (a batch without labels has hard = 0).
 * Terms: `{ total, soft, hard }`.
 */
export function createHintonLoss(
  name: string,
  options: HintonLossOptions,
  defaultSoft: SoftTarget,
): DistillationLoss {
  const where = `loss '${name}'`;
  const resolved = resolveDistillationOptions(where, {
    ...options,
    soft: options.soft ?? defaultSoft,
    ignoreIndex: UNLABELLED,
  });
  return {
    name,
    compute: (ctx) => {
      assertContext(where, ctx);
      return tf.tidy(() =>
        distillationTerms(
          where,
          {
            student: ctx.student,
            teacher: requireTeacher(where, ctx),
            ...(ctx.labels === undefined ? {} : { labels: ctx.labels }),
          },
          resolved,
          true,
        ),
      );
    },
  };
}

const { temperature, alpha } = KD_DEFAULTS;

export const hintonLossEntry: LossEntry = {
  name: 'hinton',
  description: `Hinton KD: alpha·T²·soft cross-entropy at T (or KL) + (1 − alpha)·hard CE; options temperature=${temperature}, alpha=${alpha}, soft.`,
  factory: (options) =>
    createHintonLoss(
      'hinton',
      parseLossOptions(factoryWhere('hinton'), options, HINTON_OPTIONS),
      'cross-entropy',
    ),
};

export const klLossEntry: LossEntry = {
  name: 'kl',
  description:
    "Hinton KD with KL(p^T ‖ q^T) as the soft term (0 when student = teacher); same options as 'hinton'.",
  factory: (options) =>
    createHintonLoss('kl', parseLossOptions(factoryWhere('kl'), options, HINTON_OPTIONS), 'kl'),
};
