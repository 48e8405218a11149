import { assertInRange } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { assertTemperature, runProbes, teacherStudentProbes } from './internal/guards.js';
import { assertInputs } from './internal/inputs.js';
import type { LossEntry } from './internal/loss-entry.js';
import { factoryWhere, type OptionSpec, parseLossOptions } from './internal/options.js';
import { checkTeacherContext, hardOnlyTaskWeights, taskTerms } from './internal/task-terms.js';
import { logSoftmaxAt } from './log-softmax-with-temperature.js';
import type { DistillationLoss, LogitInputs } from './types.js';

// Added to each squared norm before its root: ‖a‖ = √(Σa² + 1e-16), so a constant row (zero
// after centring) has correlation 0 and a finite gradient, where ‖a‖ + 1e-8 would divide 0 by 0.
const SQUARED_NORM_FLOOR = 1e-16;

export interface DistOptions {
  /** Weight β of the inter-class relation (rows). Default 1. */
  readonly beta?: number;
  /** Weight γ of the intra-class relation (columns). Default 1. */
  readonly gamma?: number;
  /** Temperature T > 0 of both softmaxes. Default 1. */
  readonly temperature?: number;
  /** Skip the "looks like probabilities" check. Default false. */
  readonly allowProbabilities?: boolean;
}

/** Options of the registered 'dist' loss: {@link DistOptions} plus the CE weight. */
export interface DistLossOptions extends DistOptions {
  /** Weight of the hard cross-entropy on labelled examples. Default 1. */
  readonly ceWeight?: number;
}

/** DIST's defaults (the paper's ImageNet settings; its CIFAR-100 runs use β = γ = 2, T = 4). */
export const DIST_DEFAULTS = Object.freeze({ beta: 1, gamma: 1, temperature: 1, ceWeight: 1 });

const DIST_OPTIONS: OptionSpec<DistOptions> = {
  beta: 'number',
  gamma: 'number',
  temperature: 'number',
  allowProbabilities: 'boolean',
};

const DIST_LOSS_OPTIONS: OptionSpec<DistLossOptions> = { ...DIST_OPTIONS, ceWeight: 'number' };

function resolveDist(
  where: string,
  options: DistOptions,
): Required<Omit<DistOptions, 'allowProbabilities'>> {
  const {
    beta = DIST_DEFAULTS.beta,
    gamma = DIST_DEFAULTS.gamma,
    temperature = DIST_DEFAULTS.temperature,
  } = options;
  assertInRange(where, 'beta', beta, 0, Number.MAX_VALUE);
  assertInRange(where, 'gamma', gamma, 0, Number.MAX_VALUE);
  assertTemperature(where, temperature);
  return { beta, gamma, temperature };
}

/** Mean over rows of 1 − Pearson correlation between the rows of `a` and `b`, [n, m]. */
function meanDecorrelation(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  const ca = tf.sub(a, tf.mean(a, 1, true));
  const cb = tf.sub(b, tf.mean(b, 1, true));
  const norm = (x: tf.Tensor) => tf.sqrt(tf.add(tf.sum(tf.square(x), 1), SQUARED_NORM_FLOOR));
  const correlation = tf.div(tf.sum(tf.mul(ca, cb), 1), tf.mul(norm(ca), norm(cb)));
  return tf.sub(1, tf.mean(correlation)) as tf.Scalar;
}

export type DistTerms = {
  /** T² · (β · inter + γ · intra). */
  readonly total: tf.Scalar;
  /** Mean over examples of 1 − ρ(p_s, p_t) across classes. */
  readonly inter: tf.Scalar;
  /** Mean over classes of 1 − ρ(p_s, p_t) across the batch. */
  readonly intra: tf.Scalar;
};

/** Unchecked DIST terms. */
export function distTerms(
  { student, teacher }: LogitInputs,
  { beta, gamma, temperature }: { beta: number; gamma: number; temperature: number },
): DistTerms {
  const ps = tf.exp(logSoftmaxAt(student, temperature)) as tf.Tensor2D;
  const pt = tf.exp(logSoftmaxAt(teacher, temperature)) as tf.Tensor2D;
  const inter = meanDecorrelation(ps, pt);
  const intra = meanDecorrelation(tf.transpose(ps), tf.transpose(pt));
  const total = tf.mul(
    tf.add(tf.mul(inter, beta), tf.mul(intra, gamma)),
    temperature * temperature,
  ) as tf.Scalar;
  return { total, inter, intra };
}

/**
 * DIST (Huang et al. 2022, "Knowledge distillation from a stronger teacher"): the student matches
 * the *relations* in the teacher's predictions rather than their values. With p = softmax(z / T)
 * row-wise and ρ the Pearson correlation:
 * `inter = mean_i (1 − ρ(p_s[i, :], p_t[i, :]))` (across classes, per example),
 * `intra = mean_j (1 − ρ(p_s[:, j], p_t[:, j]))` (across the batch, per class),
 * `total = T² · (β · inter + γ · intra)`. Being invariant to shifts and scales of the
 * probabilities, it asks less of a small student than KL when the teacher is much stronger.
 * The intra-class term needs a batch of ≥ 2 (with 1 it is constant).
 *
 * Inputs are **logits** (pre-softmax), never probabilities: rows that are non-negative and sum
 * to 1 are rejected unless `allowProbabilities` is set.
 *
 * @param inputs `{ student, teacher }` logits, float32 [batch, classes].
 * @param options beta 1, gamma 1, temperature 1 (`DIST_DEFAULTS`, the paper's ImageNet settings).
 * @returns scalars `{ total, inter, intra }`.
 * @example
 * const { total } = distLoss({ student, teacher }, { beta: 2, gamma: 2, temperature: 4 });
 */
export function distLoss(inputs: LogitInputs, options: DistOptions = {}): DistTerms {
  const where = 'distLoss';
  assertInputs(where, inputs, ['student', 'teacher']);
  const parsed = parseLossOptions(where, options, DIST_OPTIONS);
  const probes = teacherStudentProbes(where, inputs, parsed.allowProbabilities);
  const weights = resolveDist(where, parsed);
  runProbes(probes);
  return tf.tidy(() => distTerms(inputs, weights));
}

/**
 * Registered 'dist': `total = ceWeight · hard + T² · (β · inter + γ · intra)`, hard CE on
 * labelled examples. Options: {@link DistLossOptions}, defaults {@link DIST_DEFAULTS}.
 * Terms: `{ total, hard, dist, inter, intra }`.
 */
export function createDistLoss(options: DistLossOptions = {}): DistillationLoss {
  const name = 'dist';
  const where = `loss '${name}'`;
  const distWeights = resolveDist(where, options);
  const weights = hardOnlyTaskWeights(
    where,
    options,
    DIST_DEFAULTS.ceWeight,
    distWeights.temperature,
  );
  return {
    name,
    compute: (ctx) => {
      const teacher = checkTeacherContext(where, ctx, weights);
      return tf.tidy(() => {
        const {
          total: dist,
          inter,
          intra,
        } = distTerms({ student: ctx.student, teacher }, distWeights);
        const { hard, weighted } = taskTerms(ctx, weights);
        return { total: tf.add(weighted, dist) as tf.Scalar, hard, dist, inter, intra };
      });
    },
  };
}

const { beta, gamma, temperature } = DIST_DEFAULTS;

export const distLossEntry: LossEntry = {
  name: 'dist',
  description: `DIST (Huang et al. 2022): CE + T²·(β·inter + γ·intra), 1 − Pearson correlation of the softmaxes across classes and across the batch; beta=${beta}, gamma=${gamma}, temperature=${temperature}.`,
  factory: (options) =>
    createDistLoss(parseLossOptions(factoryWhere('dist'), options, DIST_LOSS_OPTIONS)),
};
