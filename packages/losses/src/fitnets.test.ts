import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import '../test/gradients.js';
import { createFeatureAdapter } from './feature-adapter.js';
import { createFitnetsLoss, fitnetsLoss } from './fitnets.js';

const map = (seed: number, c: number) =>
  tf.tensor4d(randomArray(2 * 3 * 3 * c, seed), [2, 3, 3, c]);

describeBackends(['cpu', 'wasm'], 'fitnetsLoss', () => {
  it('is the mean squared error summed over pairs, with adapters where given', () => {
    const s = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const t = tf.tensor2d([
      [1, 0],
      [3, 0],
    ]);
    const plain = fitnetsLoss({ student: [s, s], teacher: [t, s] });
    expectAllClose(plain, (4 + 16) / 4, { atol: 1e-6 });
    const adapter = createFeatureAdapter(2, 2);
    (adapter.variables[0] as tf.Variable).assign(
      tf.tensor2d([
        [1, 0],
        [0, 0],
      ]),
    );
    const adapted = fitnetsLoss({ student: [s], teacher: [t] }, { adapters: [adapter] });
    expectAllClose(adapted, 0, { atol: 1e-6 });
    tf.dispose([s, t, plain, adapted]);
    adapter.dispose();
  });

  it('refuses mismatched channels without an adapter and mismatched spatial sizes', () => {
    const s = map(1, 2);
    const t = map(2, 4);
    const small = tf.zeros([2, 2, 2, 4]);
    expect(() => fitnetsLoss({ student: [s], teacher: [t] })).toThrow(
      /'student\[0\]' has 2 channels and 'teacher\[0\]' has 4; pass an adapter/,
    );
    expect(() => fitnetsLoss({ student: [t], teacher: [small] })).toThrow(/same spatial size/);
    expect(() => fitnetsLoss({ student: [s], teacher: [] })).toThrow(/aligned lists/);
    tf.dispose([s, t, small]);
  });

  it('registered: creates trainable adapters that receive gradients', () => {
    const s = map(3, 2);
    const t = map(4, 4);
    const studentLogits = tf.tensor2d(randomArray(6, 5, -2, 2), [2, 3]);
    const labels = tf.tensor1d([1, -1], 'int32');
    const loss = createFitnetsLoss({ beta: 10 });
    expect(loss.needsFeatures).toBe(true);
    const ctx = {
      student: studentLogits,
      labels,
      features: { student: [s], teacher: [t] },
      epoch: 0,
      step: 0,
    };
    tf.dispose(loss.compute(ctx));
    const variables = [...(loss.trainableVariables?.() ?? [])];
    expect(variables.map((v) => v.shape)).toEqual([[2, 4], [4]]);
    const { grads } = tf.variableGrads(() => loss.compute(ctx).total, variables);
    for (const g of Object.values(grads)) expect(g.dataSync().some((v) => v !== 0)).toBe(true);
    tf.dispose(grads);
    const eager = createFitnetsLoss({
      studentChannels: [2],
      teacherChannels: [4],
      adapter: 'always',
    });
    expect(eager.trainableVariables?.().length).toBe(2);
    eager.dispose?.();
    loss.dispose?.();
    expect(loss.trainableVariables?.()).toEqual([]);
    tf.dispose([s, t, studentLogits, labels]);
  });

  it('does not leak (function and registered loss)', async () => {
    const s = map(5, 2);
    const t = map(6, 3);
    const adapter = createFeatureAdapter(2, 3);
    await expectNoLeaks(() => fitnetsLoss({ student: [s], teacher: [t] }, { adapters: [adapter] }));
    const loss = createFitnetsLoss();
    const studentLogits = tf.tensor2d(randomArray(6, 7, -2, 2), [2, 3]);
    await expectNoLeaks(() =>
      loss.compute({
        student: studentLogits,
        features: { student: [s], teacher: [t] },
        epoch: 0,
        step: 0,
      }),
    );
    loss.dispose?.();
    adapter.dispose();
    tf.dispose([s, t, studentLogits]);
  });
});
