import type { Batch } from '@kdkit/datasets';
import { type BatchOptions, batches, type ImageDataset } from '@kdkit/datasets';
import type { DistillationLoss, LossTerms } from '@kdkit/losses';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The variables a loss trains itself (feature adapters). Losses may create them on their first
 * `compute`, so when the loss has `trainableVariables` this first runs `compute` once, without a
 * tape, on the first batch of epoch 0: the variable list (and its checkpoint slots) is then
 * fixed before the first gradient step.
 */
export function lossVariables(
  loss: DistillationLoss,
  train: ImageDataset,
  options: BatchOptions,
  compute: (batch: Batch) => LossTerms,
): tf.Variable[] {
  if (!loss.trainableVariables) return [];
  const iterator = batches(train, { ...options, epoch: 0 });
  const first = iterator.next();
  if (!first.done) {
    try {
      tf.tidy(() => {
        compute(first.value);
      });
    } finally {
      tf.dispose([first.value.xs, first.value.labels]);
      iterator.return(undefined);
    }
  }
  return [...loss.trainableVariables()];
}
