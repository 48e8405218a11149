import { isKdkitError } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import { FusedAdamOptimizer } from '@kdkit/wasm-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  disposeModels,
  quadrantDataset,
  stopAfter,
  testCrossEntropy,
  tinyMlp,
  weightsOf,
} from '../test/fixtures.js';
import { checkpoint } from './callbacks/checkpoint.js';
import { memoryCheckpointStore } from './checkpoint-store.js';
import {
  createOptimizer,
  getLearningRate,
  scheduledLearningRate,
  setLearningRate,
} from './optimizer.js';
import { trainSupervised } from './train-supervised.js';

describeBackends(['cpu'], 'optimizer', () => {
  it('builds adam, sgd and momentum with their default learning rates', () => {
    const made = [
      createOptimizer('adam'),
      createOptimizer('sgd'),
      createOptimizer({ name: 'momentum', learningRate: 0.3 }),
    ];
    expect(made.map((o) => o.getClassName())).toEqual(['Adam', 'SGD', 'Momentum']);
    expect(made[0]).toBeInstanceOf(FusedAdamOptimizer);
    expect(made.map(getLearningRate)).toEqual([1e-3, 1e-2, 0.3]);
    setLearningRate(made[0] as tf.Optimizer, 0.5);
    expect(getLearningRate(made[0] as tf.Optimizer)).toBe(0.5);
    const own = tf.train.rmsprop(0.1);
    expect(createOptimizer(own)).toBe(own);
    for (const o of [...made, own]) o.dispose();
  });

  it('rejects an unknown optimizer or a bad learning rate', () => {
    expect(() => createOptimizer('adamw' as 'adam')).toThrow(/'adam', 'sgd', 'momentum'/);
    try {
      createOptimizer({ name: 'sgd', learningRate: -1 });
    } catch (e) {
      expect(isKdkitError(e, 'OUT_OF_RANGE')).toBe(true);
    }
  });

  it('cosine decays from base to 0 over the run; constant stays', () => {
    expect(scheduledLearningRate('cosine', 0.1, 0, 100)).toBeCloseTo(0.1, 12);
    expect(scheduledLearningRate('cosine', 0.1, 50, 100)).toBeCloseTo(0.05, 12);
    expect(scheduledLearningRate('cosine', 0.1, 100, 100)).toBeCloseTo(0, 12);
    expect(scheduledLearningRate('constant', 0.1, 50, 100)).toBe(0.1);
  });
});

// FusedAdamOptimizer's own tests (numerics, state, fallback, leaks) are in @kdkit/wasm-kernels.
describeBackends(['cpu', 'wasm'], "createOptimizer('adam'): FusedAdamOptimizer", () => {
  it('is what createOptimizer makes for adam: a tf.AdamOptimizer named Adam', () => {
    const optimizer = createOptimizer({ name: 'adam', learningRate: 0.01 });
    const stock = tf.train.adam(0.01);
    expect(optimizer).toBeInstanceOf(FusedAdamOptimizer);
    expect(optimizer).toBeInstanceOf(tf.AdamOptimizer);
    expect(optimizer.getClassName()).toBe('Adam');
    expect(optimizer.getConfig()).toEqual(stock.getConfig());
    optimizer.dispose();
    stock.dispose();
  });

  it('trainSupervised with adam matches the same run on tf.train.adam (cosine schedule)', async () => {
    const common = {
      train: quadrantDataset(40, 1),
      epochs: 2,
      batchSize: 16,
      seed: 7,
      loss: testCrossEntropy,
      lrSchedule: 'cosine' as const,
    };
    const stockOptimizer = tf.train.adam(0.01);
    const [fusedModel, stockModel] = [tinyMlp(3), tinyMlp(3)];
    const fused = await trainSupervised({
      ...common,
      model: fusedModel,
      optimizer: { name: 'adam', learningRate: 0.01 },
    });
    const stock = await trainSupervised({
      ...common,
      model: stockModel,
      optimizer: stockOptimizer,
    });
    expect(fused.history.map((h) => h.losses)).toEqual(stock.history.map((h) => h.losses));
    const [a, b] = [weightsOf(fusedModel), weightsOf(stockModel)];
    for (const [i, w] of b.entries()) expect(a[i]).toBeAllClose(w, { atol: 1e-7, rtol: 1e-6 });
    stockOptimizer.dispose();
    disposeModels(fusedModel, stockModel);
  });

  it('resumes a checkpoint that tf.train.adam wrote, as if never interrupted', async () => {
    const common = {
      train: quadrantDataset(40, 1),
      epochs: 3,
      batchSize: 16,
      seed: 7,
      loss: testCrossEntropy,
    };
    const stock = [tf.train.adam(0.01), tf.train.adam(0.01)];
    const uninterrupted = tinyMlp(3);
    await trainSupervised({ ...common, model: uninterrupted, optimizer: stock[0] as tf.Optimizer });
    const store = memoryCheckpointStore();
    const killed = tinyMlp(3);
    await trainSupervised({
      ...common,
      model: killed,
      optimizer: stock[1] as tf.Optimizer,
      callbacks: [checkpoint({ store }), stopAfter(1)],
    });
    expect((await store.read())?.optimizers[0]?.className).toBe('Adam');
    const resumed = tinyMlp(99);
    const rest = await trainSupervised({
      ...common,
      model: resumed,
      optimizer: { name: 'adam', learningRate: 0.01 },
      resumeFrom: store,
    });
    expect(rest.completedEpochs).toBe(3);
    expect(weightsOf(resumed)).toEqual(weightsOf(uninterrupted));
    for (const optimizer of stock) optimizer.dispose();
    disposeModels(uninterrupted, killed, resumed);
  });
});
