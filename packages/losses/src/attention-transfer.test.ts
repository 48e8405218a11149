import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { refAttention, toMaps } from '../test/reference-features.js';
import { attentionTransferLoss } from './attention-transfer.js';

describeBackends(['cpu', 'wasm'], 'attentionTransferLoss', () => {
  it('matches a float64 reference with different channel counts', () => {
    const s = tf.tensor4d(randomArray(2 * 3 * 2 * 3, 1), [2, 3, 2, 3]);
    const t = tf.tensor4d(randomArray(2 * 3 * 2 * 5, 2), [2, 3, 2, 5]);
    const loss = attentionTransferLoss({ student: [s], teacher: [t] });
    expectAllClose(
      loss,
      refAttention(toMaps(s.dataSync(), s.shape), toMaps(t.dataSync(), t.shape)),
      { atol: 1e-6, rtol: 1e-4 },
    );
    // Scaling a map does not change its normalized attention.
    const same = attentionTransferLoss({ student: [s, s], teacher: [tf.mul(s, 3), s] });
    expectAllClose(same, 0, { atol: 1e-6 });
    tf.dispose([s, t, loss, same]);
  });

  it('agrees with finite differences and stays finite for zero maps', () => {
    const s = tf.tensor4d(randomArray(1 * 2 * 2 * 2, 3), [1, 2, 2, 2]);
    const t = tf.tensor4d(randomArray(1 * 2 * 2 * 3, 4), [1, 2, 2, 3]);
    const f = (x: tf.Tensor) => tf.mul(attentionTransferLoss({ student: [x], teacher: [t] }), 100);
    expectAllClose(analyticGrad(f, s), finiteDifferenceGrad(f, s, 1e-2), {
      atol: 5e-3,
      rtol: 5e-2,
    });
    expect(analyticGrad(f, tf.zeros([1, 2, 2, 2])).every(Number.isFinite)).toBe(true);
    tf.dispose([s, t]);
  });

  it('requires NHWC maps of equal spatial size and does not leak', async () => {
    const s = tf.ones([2, 3, 3, 2]);
    expect(() =>
      attentionTransferLoss({ student: [tf.ones([2, 4])], teacher: [tf.ones([2, 4])] }),
    ).toThrow(/NHWC map \(rank 4\)/);
    expect(() => attentionTransferLoss({ student: [s], teacher: [tf.ones([2, 2, 2, 2])] })).toThrow(
      /same spatial size/,
    );
    await expectNoLeaks(() => attentionTransferLoss({ student: [s], teacher: [s] }));
    s.dispose();
  });
});
