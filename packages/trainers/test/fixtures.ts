// Tiny synthetic data and models for trainer tests: fast on cpu.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { SeededRandom } from '@kdkit/engine';
import type { DistillationLoss } from '@kdkit/losses';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { CheckpointData } from '../src/checkpoint-io.js';
import type { Callback } from '../src/types.js';

/**
 * `size` 4×4×1 images of `classes` (≤ 4) classes: class c lights up quadrant c (0.8) over
 * uniform noise in [0, 0.3). Linearly separable, so a tiny MLP reaches ~100%.
 */
export function quadrantDataset(
  size: number,
  seed: number,
  options: { classes?: number; unlabelled?: boolean } = {},
): ImageDataset {
  const classes = options.classes ?? 3;
  const rng = new SeededRandom(seed);
  const images = new Float32Array(size * 16);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = i % classes;
    labels[i] = options.unlabelled ? -1 : label;
    for (let p = 0; p < 16; p++) {
      const row = Math.floor(p / 4);
      const col = p % 4;
      const quadrant = (row < 2 ? 0 : 2) + (col < 2 ? 0 : 1);
      images[i * 16 + p] = rng.nextFloat() * 0.3 + (quadrant === label ? 0.7 : 0);
    }
  }
  return {
    name: `quadrants-${seed}`,
    images,
    labels,
    shape: [4, 4, 1],
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, c) => `q${c}`),
    size,
  };
}

/** flatten → dense(hidden, relu) → dense(classes) logits, initialized from `seed`. */
export function tinyMlp(
  seed: number,
  options: { classes?: number; hidden?: number; inputShape?: [number, number, number] } = {},
): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: options.inputShape ?? [4, 4, 1] }));
  model.add(
    tfl.layers.dense({
      units: options.hidden ?? 16,
      activation: 'relu',
      name: 'hidden',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: options.classes ?? 3,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  return model;
}

/** All weights of a model as plain arrays (for comparing two runs). */
export function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

/** Cross-entropy on labelled rows, inline so tests don't depend on @kdkit/losses. */
export const testCrossEntropy: DistillationLoss = {
  name: 'test-ce',
  compute: (ctx) => {
    const labels = ctx.labels as tf.Tensor1D;
    const classes = ctx.student.shape[1];
    const mask = tf.cast(tf.greaterEqual(labels, tf.scalar(0, 'int32')), 'float32');
    const oneHot = tf.oneHot(tf.maximum(labels, tf.scalar(0, 'int32')), classes);
    const nll = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(ctx.student)), 1));
    const ce = tf.div(tf.sum(tf.mul(nll, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    return { total: ce, ce };
  },
};

/** A callback that asks to stop after `epochs` completed epochs (simulates a kill). */
export function stopAfter(epochs: number): Callback {
  return {
    name: 'stopAfter',
    onEpochEnd: (_logs, state) => {
      if (state.completedEpochs >= epochs) state.requestStop(`stopAfter(${epochs})`);
    },
  };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kdkit-trainers-'));
}

/** Frees models (tf.dispose does not know LayersModel). */
export function disposeModels(...models: readonly tfl.LayersModel[]): void {
  for (const model of models) model.dispose();
}

/** A small checkpoint with every kind of entry (test/golden/checkpoint-v1.kdkc holds its bytes). */
export const sampleCheckpoint: CheckpointData = {
  kind: 'distill',
  completedEpochs: 3,
  globalStep: 30,
  seed: 9,
  rng: { s: [1, 2, 3, 4] },
  history: [{ epoch: 0, losses: { total: 1.5 }, imagesPerSecond: 10, seconds: 2 }],
  models: [
    {
      name: 'student',
      weights: [
        {
          name: '0:k',
          shape: [2, 2],
          dtype: 'float32',
          values: Float32Array.from([1, -2, 3.5, 1e-8]),
        },
        { name: '1:n', shape: [1], dtype: 'int32', values: Int32Array.from([7]) },
      ],
      extra: [
        { name: 'extra0', shape: [2], dtype: 'float32', values: Float32Array.from([0.5, 2]) },
      ],
    },
  ],
  optimizers: [
    {
      className: 'Adam',
      extra: { accBeta1: 0.81 },
      weights: [{ name: 'iter', shape: [], dtype: 'int32', values: Int32Array.from([30]) }],
    },
  ],
};
