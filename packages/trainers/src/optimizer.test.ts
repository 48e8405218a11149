import { isKdkitError } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { FusedAdamOptimizer } from './fused-adam-optimizer.js';
import {
  createOptimizer,
  getLearningRate,
  scheduledLearningRate,
  setLearningRate,
} from './optimizer.js';

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
