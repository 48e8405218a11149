import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { toMatrix } from '../test/reference.js';
import { refSimilarityPreserving } from '../test/reference-features.js';
import { similarityPreservingLoss } from './similarity-preserving.js';

describeBackends(['cpu', 'wasm'], 'similarityPreservingLoss', () => {
  it('matches a float64 reference, flattening NHWC maps', () => {
    const s = tf.tensor4d(randomArray(3 * 2 * 2 * 2, 1), [3, 2, 2, 2]);
    const t = tf.tensor2d(randomArray(3 * 5, 2), [3, 5]);
    const loss = similarityPreservingLoss({ student: [s], teacher: [t] });
    expectAllClose(
      loss,
      refSimilarityPreserving(toMatrix(s.dataSync(), 3, 8), toMatrix(t.dataSync(), 3, 5)),
      { atol: 1e-6, rtol: 1e-4 },
    );
    const zero = similarityPreservingLoss({ student: [t], teacher: [tf.mul(t, 2)] });
    expectAllClose(zero, 0, { atol: 1e-6 });
    tf.dispose([s, t, loss, zero]);
  });

  it('agrees with finite differences', () => {
    const s = tf.tensor2d(randomArray(3 * 3, 3), [3, 3]);
    const t = tf.tensor2d(randomArray(3 * 4, 4), [3, 4]);
    const f = (x: tf.Tensor) => similarityPreservingLoss({ student: [x], teacher: [t] });
    expectAllClose(analyticGrad(f, s), finiteDifferenceGrad(f, s, 1e-2), {
      atol: 2e-3,
      rtol: 5e-2,
    });
    tf.dispose([s, t]);
  });

  it('checks the batch and does not leak', async () => {
    const s = tf.ones([3, 4]);
    expect(() => similarityPreservingLoss({ student: [s], teacher: [tf.ones([2, 4])] })).toThrow(
      /batch mismatch/,
    );
    await expectNoLeaks(() => similarityPreservingLoss({ student: [s], teacher: [s] }));
    s.dispose();
  });
});
