import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { disposeModels, quadrantDataset, tinyMlp } from '../test/fixtures.js';
import { evaluate } from './evaluate.js';
import { mutualLearning } from './mutual-learning.js';

describeBackends(['cpu', 'wasm'], 'mutualLearning', () => {
  it('two students learn the task and agree with each other', async () => {
    const models = [tinyMlp(3), tinyMlp(4, { hidden: 8 })];
    const { history } = await mutualLearning({
      models,
      train: quadrantDataset(96, 1),
      validation: quadrantDataset(30, 2),
      epochs: 5,
      batchSize: 16,
      optimizer: { name: 'adam', learningRate: 0.03 },
    });
    const terms = Object.keys(history[0]?.losses ?? {});
    expect(terms).toEqual(expect.arrayContaining(['total', 'm0.total', 'm1.total']));
    expect(history[4]?.losses['total']).toBeLessThan(history[0]?.losses['total'] ?? 0);
    const test = quadrantDataset(60, 3);
    const [a, b] = models as [tfl.LayersModel, tfl.LayersModel];
    const rA = await evaluate(a, test, { teacher: b });
    expect(rA.accuracy).toBeGreaterThan(0.9);
    expect(rA.agreement).toBeGreaterThan(0.9);
    disposeModels(...models);
  });

  it('refuses one model, a shared optimizer instance, or the same model twice', async () => {
    const m = tinyMlp(3);
    const train = quadrantDataset(8, 1);
    await expect(mutualLearning({ models: [m], train, epochs: 1, batchSize: 4 })).rejects.toThrow(
      /at least 2 models/,
    );
    await expect(
      mutualLearning({ models: [m, m], train, epochs: 1, batchSize: 4 }),
    ).rejects.toThrow(/same model twice/);
    const other = tinyMlp(4);
    const shared = tf.train.sgd(0.1);
    await expect(
      mutualLearning({ models: [m, other], train, epochs: 1, batchSize: 4, optimizer: shared }),
    ).rejects.toThrow(/its own optimizer state/);
    disposeModels(m, other);
    shared.dispose();
  });

  it('leaks no tensors across a multi-epoch run', async () => {
    const models = [tinyMlp(3), tinyMlp(4)];
    const train = quadrantDataset(24, 1);
    await expectNoLeaks(() =>
      mutualLearning({ models, train, validation: train, epochs: 2, batchSize: 8 }),
    );
    disposeModels(...models);
  });
});
