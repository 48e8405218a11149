import { randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { vi } from 'vitest';

/** The parameter counts documented in the README (28×28×1, 10 classes, width 1). */
export const DOCUMENTED_PARAMS: Readonly<Record<string, number>> = {
  'mlp-1200': 2_395_210,
  'mlp-800': 1_276_810,
  lenet5: 61_706,
  'cnn-teacher': 1_701_802,
  'cnn-student': 26_698,
  resnet8: 78_426,
  resnet20: 273_754,
  vgg8: 3_919_178,
  'mobilenet-v2': 2_270_090,
};

export const ZOO_NAMES = Object.keys(DOCUMENTED_PARAMS);

/** A fixed batch of images in [0, 1] and labels cycling through the classes. */
export function fixedBatch(
  batch: number,
  shape: readonly [number, number, number],
  numClasses = 10,
  seed = 7,
): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.tensor4d(randomArray(batch * shape[0] * shape[1] * shape[2], seed, 0, 1), [
    batch,
    ...shape,
  ]);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % numClasses),
    'int32',
  );
  const ys = tf.oneHot(labels, numClasses) as tf.Tensor2D;
  labels.dispose();
  return { xs, ys };
}

/** Mean softmax cross-entropy of logits against one-hot labels, in log space. */
export function crossEntropy(logits: tf.Tensor2D, ys: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(ys, tf.logSoftmax(logits)), -1)))) as tf.Scalar;
}

export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Training-mode loss of `model` on the batch. */
export function trainingLoss(model: tfl.LayersModel, xs: tf.Tensor4D, ys: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => crossEntropy(model.apply(xs, { training: true }) as tf.Tensor2D, ys));
}

/**
 * Makes dropout draw the same masks on every call between `reset()`s: tfjs draws unseeded random
 * numbers from Math.random, which this replaces by a seeded stream. Call `restore()` after.
 */
export function freezeRandomness(seed = 1): { reset: () => void; restore: () => void } {
  let values = randomArray(1 << 16, seed, 0, 1);
  let i = 0;
  const spy = vi.spyOn(Math, 'random').mockImplementation(() => {
    const v = values[i % values.length] as number;
    i++;
    return v;
  });
  return {
    reset: () => {
      i = 0;
      values = randomArray(1 << 16, seed, 0, 1);
    },
    restore: () => spy.mockRestore(),
  };
}
