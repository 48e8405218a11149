import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { refSoftmax, toMatrix } from '../test/reference.js';
import { softmaxWithTemperature } from './softmax-with-temperature.js';

describeBackends(['cpu', 'wasm'], 'softmaxWithTemperature', () => {
  it('matches closed forms', () => {
    const p = softmaxWithTemperature(tf.tensor2d([[0, Math.log(3)]]));
    expectAllClose(p, [[0.25, 0.75]], { atol: 1e-6 });
    // T = 2 halves the log-odds: exp(log 9 / 2) = 3.
    const q = softmaxWithTemperature(tf.tensor2d([[0, Math.log(9)]]), { temperature: 2 });
    expectAllClose(q, [[0.25, 0.75]], { atol: 1e-6 });
    tf.dispose([p, q]);
  });

  it('matches a float64 reference at several temperatures', () => {
    const logits = tf.tensor2d(randomArray(5 * 7, 11, -6, 6), [5, 7]);
    const rows = toMatrix(logits.dataSync(), 5, 7);
    for (const temperature of [0.5, 1, 4, 20]) {
      const p = softmaxWithTemperature(logits, { temperature: temperature });
      expectAllClose(
        p,
        rows.map((r) => refSoftmax(r, temperature)),
        { atol: 1e-6 },
      );
      p.dispose();
    }
    logits.dispose();
  });

  it('stays finite for extreme logits and temperatures', () => {
    const logits = tf.tensor2d([
      [3000, -3000, 0, 2999],
      [-5000, -5000, -4999, 5000],
    ]);
    for (const temperature of [0.05, 1, 100]) {
      const p = softmaxWithTemperature(logits, { temperature: temperature });
      const values = p.dataSync();
      expect(values.every(Number.isFinite)).toBe(true);
      expectAllClose(tf.sum(p, 1), [1, 1], { atol: 1e-5 });
      p.dispose();
    }
    logits.dispose();
  });

  it('rejects bad temperature, rank, dtype and probabilities', () => {
    const logits = tf.tensor2d([[1, 2]]);
    const probs = tf.tensor2d([[0.2, 0.8]]);
    expect(() => softmaxWithTemperature(logits, { temperature: 0 })).toThrow(/temperature.*> 0/);
    expect(() => softmaxWithTemperature(tf.tensor1d([1, 2]) as unknown as tf.Tensor2D)).toThrow(
      /rank 2/,
    );
    expect(() => softmaxWithTemperature(tf.tensor2d([[1, 2]], [1, 2], 'int32'))).toThrow(/float32/);
    expect(() => softmaxWithTemperature(probs)).toThrow(/looks like probabilities/);
    const allowed = softmaxWithTemperature(probs, { temperature: 1, allowProbabilities: true });
    tf.dispose([logits, probs, allowed]);
  });

  it('does not leak', async () => {
    const logits = tf.tensor2d(randomArray(12, 3), [3, 4]);
    await expectNoLeaks(() => softmaxWithTemperature(logits, { temperature: 3 }));
    logits.dispose();
  });
});
