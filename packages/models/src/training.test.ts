import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  fixedBatch,
  freezeRandomness,
  trainableVariables,
  trainingLoss,
  ZOO_NAMES,
} from '../test/helpers.js';
import { createModel } from './create-model.js';

// One SGD step on the training-mode loss of a fixed batch, with dropout masks frozen so the loss
// before and after the step is the same function of the weights: it must go down. The pure-JS cpu
// backend is slow at conv gradients, so there every model runs at width 0.25 (same graph, fewer
// channels) on 2 images; wasm runs the full models on 4.
const SETUP = {
  cpu: { width: 0.25, batch: 2 },
  wasm: { width: 1, batch: 4 },
} as const;

function sgdStep(model: tfl.LayersModel, xs: tf.Tensor4D, ys: tf.Tensor2D): void {
  const optimizer = tf.train.sgd(0.01);
  optimizer.minimize(() => trainingLoss(model, xs, ys), false, trainableVariables(model));
  optimizer.dispose();
}

function lossDropsAfterOneStep(name: string, width: number, batch: number): void {
  const random = freezeRandomness();
  const model = createModel(name, { seed: 1, width });
  const { xs, ys } = fixedBatch(batch, [28, 28, 1]);
  try {
    random.reset();
    const before = trainingLoss(model, xs, ys);
    const weightsBefore = trainableVariables(model).map((v) => v.dataSync().slice());
    random.reset();
    sgdStep(model, xs, ys);
    // Every trainable weight got a finite gradient: each one moved and stayed finite.
    trainableVariables(model).forEach((v, i) => {
      const now = v.dataSync();
      expect(now.every(Number.isFinite), `${v.name} finite`).toBe(true);
      expect(
        now.some((x, j) => x !== weightsBefore[i]?.[j]),
        `${v.name} moved`,
      ).toBe(true);
    });
    random.reset();
    const after = trainingLoss(model, xs, ys);
    const [b, a] = [before.dataSync()[0] ?? Number.NaN, after.dataSync()[0] ?? Number.NaN];
    expect(Number.isFinite(b)).toBe(true);
    expect(a, `${name}: loss ${b} → ${a}`).toBeLessThan(b);
    tf.dispose([before, after]);
  } finally {
    random.restore();
    tf.dispose([xs, ys]);
    model.dispose();
  }
}

describeBackends(['cpu', 'wasm'], 'one training step', (backend) => {
  const { width, batch } = SETUP[backend];
  for (const name of ZOO_NAMES) {
    it(`${name} (width ${width}, batch ${batch}): reduces the loss on a fixed batch`, () =>
      lossDropsAfterOneStep(name, width, batch));
  }

  it('a step (batch norm, dropout) leaks no tensors', async () => {
    const model = createModel('cnn-teacher', { width: 0.25 });
    const { xs, ys } = fixedBatch(2, [28, 28, 1]);
    await expectNoLeaks(() => sgdStep(model, xs, ys));
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
