import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { toMatrix } from '../test/reference.js';
import { refPkt } from '../test/reference-features.js';
import { pktLoss } from './probabilistic-transfer.js';

describeBackends(['cpu', 'wasm'], 'pktLoss', () => {
  it('matches a float64 reference and is 0 for identical directions', () => {
    const s = tf.tensor2d(randomArray(4 * 3, 1), [4, 3]);
    const t = tf.tensor2d(randomArray(4 * 6, 2), [4, 6]);
    const loss = pktLoss({ student: [s], teacher: [t] });
    expectAllClose(loss, refPkt(toMatrix(s.dataSync(), 4, 3), toMatrix(t.dataSync(), 4, 6)), {
      atol: 1e-6,
      rtol: 1e-4,
    });
    const zero = pktLoss({ student: [s], teacher: [tf.mul(s, 5)] });
    expectAllClose(zero, 0, { atol: 1e-6 });
    tf.dispose([s, t, loss, zero]);
  });

  it('agrees with finite differences and stays finite for a zero embedding', () => {
    const s = tf.tensor2d(randomArray(3 * 3, 3), [3, 3]);
    const t = tf.tensor2d(randomArray(3 * 2, 4), [3, 2]);
    const f = (x: tf.Tensor) => tf.mul(pktLoss({ student: [x], teacher: [t] }), 100);
    expectAllClose(analyticGrad(f, s), finiteDifferenceGrad(f, s, 1e-2), {
      atol: 5e-3,
      rtol: 5e-2,
    });
    expect(analyticGrad(f, tf.zeros([3, 3])).every(Number.isFinite)).toBe(true);
    tf.dispose([s, t]);
  });

  it('does not leak', async () => {
    const s = tf.tensor2d(randomArray(6, 5), [3, 2]);
    await expectNoLeaks(() => pktLoss({ student: [s], teacher: [s] }));
    s.dispose();
  });
});
