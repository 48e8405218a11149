import { KdkitError } from '@kdkit/engine';
import type { DistillationLoss, LossTerms } from '@kdkit/losses';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { evaluate, metricValues } from './evaluate.js';
import { assertModelFitsData, assertSameSignature } from './internal/check-models.js';
import { minimizeTerms, splitOutputs, trainableVariables } from './internal/minimize-terms.js';
import { resolveLoss } from './internal/resolve-loss.js';
import { runLoop } from './internal/run-loop.js';
import { createOptimizer, DEFAULT_LR_SCHEDULE } from './optimizer.js';
import type { CommonTrainOptions } from './train-options.js';
import type { TrainResult } from './types.js';

export interface MutualLearningOptions extends CommonTrainOptions {
  /** Two or more students that teach each other; all trained in place. */
  readonly models: readonly tfl.LayersModel[];
  /**
   * The pairwise loss, applied to each (model, peer) pair and averaged over peers. Default
   * 'kl' with `{ temperature: 1, alpha: 0.5 }`: ½·KL(peer ‖ model) + ½·CE, i.e. DML's
   * CE + mean KL up to a factor.
   */
  readonly loss?: string | DistillationLoss;
  readonly lossOptions?: Record<string, unknown>;
}

/** Gradient of x is cut: peers' predictions are targets, not paths to their weights. */
const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as <T extends tf.Tensor>(x: T) => T;

function meanTerms(list: readonly LossTerms[]): Record<string, tf.Scalar> {
  const out: Record<string, tf.Scalar> = {};
  const names = Object.keys(list[0] ?? {});
  for (const name of names) {
    out[name] = tf.div(tf.addN(list.map((t) => t[name] as tf.Scalar)), list.length) as tf.Scalar;
  }
  return out;
}

/**
 * Deep mutual learning (Zhang et al., 2018): every model is a student and each other model's
 * current prediction is its teacher. All models run once per batch in training mode under one
 * tape; model i minimizes mean_j loss(logits_i, stopGradient(logits_j)); each model has its own
 * optimizer (built from `optimizer`, which must be a name or spec, not a shared instance).
 * Terms are logged per model (`m0.total`, `m0.soft`, `m0.hard`); `total` is their sum.
 *
 * @example
 * await mutualLearning({ models: [a, b], train, epochs: 10, batchSize: 64, seed: 1 });
 */
export async function mutualLearning(options: MutualLearningOptions): Promise<TrainResult> {
  const where = 'mutualLearning';
  const { models, train, validation } = options;
  if (models.length < 2) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'models' needs at least 2 models, got ${models.length}`,
    );
  }
  if (new Set(models).size !== models.length) {
    throw new KdkitError('INVALID_ARGUMENT', `${where}: 'models' contains the same model twice`);
  }
  const spec = options.optimizer ?? 'adam';
  if (spec instanceof tf.Optimizer) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'optimizer' must be a name or { name, learningRate }: each model needs its own optimizer state`,
    );
  }
  models.forEach((m, i) => {
    assertModelFitsData(where, `models[${i}]`, m, train);
    if (i > 0)
      assertSameSignature(where, `models[${i}]`, m, 'models[0]', models[0] as tfl.LayersModel);
  });
  const loss = resolveLoss(
    where,
    options.loss ?? 'kl',
    options.lossOptions ?? (options.loss ? {} : { temperature: 1, alpha: 0.5 }),
  );
  const trained = models.map((model, i) => ({
    name: `m${i}`,
    model,
    optimizer: createOptimizer(spec),
  }));
  const groups = trained.map(({ model, optimizer }) => ({
    optimizer,
    variables: trainableVariables(model),
  }));
  try {
    return await runLoop({
      kind: 'mutual',
      where,
      train,
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed: options.seed ?? 0,
      callbacks: options.callbacks ?? [],
      models: trained,
      resumeFrom: options.resumeFrom,
      signal: options.signal,
      recipe: options.recipe,
      lrSchedule: options.lrSchedule ?? DEFAULT_LR_SCHEDULE,
      augment: options.augment,
      step: (batch, epoch, step) =>
        minimizeTerms(where, groups, () => {
          const logits = models.map(
            (m) => splitOutputs(m.apply(batch.xs, { training: true })).logits,
          );
          const targets = logits.map((l) => stopGradient(l));
          const all: Record<string, tf.Scalar> = {};
          const totals: tf.Scalar[] = [];
          logits.forEach((own, i) => {
            const perPeer = targets
              .filter((_, j) => j !== i)
              .map((peer) =>
                loss.compute({
                  student: own,
                  teacher: peer,
                  teachers: [peer],
                  labels: batch.labels,
                  epoch,
                  step,
                }),
              );
            for (const [name, value] of Object.entries(meanTerms(perPeer))) {
              all[`m${i}.${name}`] = value;
              if (name === 'total') totals.push(value);
            }
          });
          return { total: tf.addN(totals) as tf.Scalar, ...all };
        }),
      ...(validation
        ? {
            validate: async () =>
              metricValues(await evaluate(models[0] as tfl.LayersModel, validation)),
          }
        : {}),
    });
  } finally {
    for (const { optimizer } of trained) optimizer.dispose();
    if (options.loss !== loss) loss.dispose?.();
  }
}
