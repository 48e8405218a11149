import type { Batch } from '@kdkit/datasets';
import type { DistillationLoss } from '@kdkit/losses';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { evaluate, metricValues } from './evaluate.js';
import { assertModelFitsData } from './internal/check-models.js';
import { lossVariables } from './internal/loss-variables.js';
import { minimizeTerms, splitOutputs, trainableVariables } from './internal/minimize-terms.js';
import { resolveLoss } from './internal/resolve-loss.js';
import { runLoop } from './internal/run-loop.js';
import { createOptimizer, DEFAULT_LR_SCHEDULE } from './optimizer.js';
import type { CommonTrainOptions } from './train-options.js';
import type { TrainResult } from './types.js';

export interface TrainSupervisedOptions extends CommonTrainOptions {
  /** A logits model (extra outputs, e.g. feature taps, are ignored). Trained in place. */
  readonly model: tfl.LayersModel;
  /** Default 'ce' (cross-entropy on labelled examples; label −1 is skipped). */
  readonly loss?: string | DistillationLoss;
  readonly lossOptions?: Record<string, unknown>;
}

/**
 * Trains a model on labels alone: a teacher, or the student baseline. One step per batch:
 * `loss.compute({ student, labels })` under the tape, the optimizer updates the model's
 * trainable variables. Shuffle order depends only on (seed, epoch). An optimizer given by name is
 * created here and disposed at the end; a `tf.Optimizer` passed in stays the caller's.
 *
 * @example
 * const { history } = await trainSupervised({
 *   model, train, epochs: 5, batchSize: 64, optimizer: { name: 'adam', learningRate: 1e-3 },
 *   seed: 1, callbacks: [progressBar(), checkpoint({ store: fileCheckpointStore('runs/teacher') })],
 * });
 */
export async function trainSupervised(options: TrainSupervisedOptions): Promise<TrainResult> {
  const where = 'trainSupervised';
  const { model, train, validation } = options;
  assertModelFitsData(where, 'model', model, train);
  if (validation) assertModelFitsData(where, 'model', model, validation);
  const loss = resolveLoss(where, options.loss ?? 'ce', options.lossOptions);
  const spec = options.optimizer ?? 'adam';
  const optimizer = createOptimizer(spec);
  const seed = options.seed ?? 0;
  const compute = (batch: Batch, training: boolean, epoch: number, step: number) => {
    const { logits } = splitOutputs(model.apply(batch.xs, { training }));
    return loss.compute({ student: logits, labels: batch.labels, epoch, step });
  };
  const batchOptions = {
    batchSize: options.batchSize,
    seed,
    ...(options.augment !== undefined ? { augment: options.augment } : {}),
  };
  const extraVariables = lossVariables(loss, train, batchOptions, (b) => compute(b, false, 0, 0));
  const variables = trainableVariables(model, extraVariables);
  try {
    return await runLoop({
      kind: 'supervised',
      where,
      train,
      epochs: options.epochs,
      batchSize: options.batchSize,
      seed,
      callbacks: options.callbacks ?? [],
      models: [{ name: 'model', model, optimizer, extraVariables }],
      resumeFrom: options.resumeFrom,
      signal: options.signal,
      recipe: options.recipe,
      lrSchedule: options.lrSchedule ?? DEFAULT_LR_SCHEDULE,
      augment: options.augment,
      step: (batch, epoch, step) =>
        minimizeTerms(where, [{ optimizer, variables }], () => compute(batch, true, epoch, step)),
      ...(validation
        ? { validate: async () => metricValues(await evaluate(model, validation)) }
        : {}),
    });
  } finally {
    if (!(spec instanceof tf.Optimizer)) optimizer.dispose();
    // A loss built here from a name is ours to free; a loss object passed in stays the caller's.
    if (options.loss !== loss) loss.dispose?.();
  }
}
