// Only tfjs-core and this package: no tfjs-layers import anywhere in this file.
import { expectAllClose } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './init-backend.js';

describe("initBackend('cpu') with bare tfjs-core", () => {
  it('registers the gradients a training step needs', async () => {
    await initBackend('cpu', { log: false, env: {} });
    // d/dx Σ x² = 2x
    const x = tf.tensor1d([3, -1, 0.5]);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, v)))(x);
    expectAllClose(dx, [6, -2, 1]);
    // Softmax cross-entropy: d/dz −log softmax(z)[0] = softmax(z) − onehot(0).
    const z = tf.tensor1d([1, 2, 3]);
    const dz = tf.grad((v: tf.Tensor) => tf.neg(tf.gather(tf.logSoftmax(v), 0)))(z);
    const e = [1, 2, 3].map(Math.exp);
    const total = e.reduce((a, b) => a + b, 0);
    expectAllClose(dz, [e[0]! / total - 1, e[1]! / total, e[2]! / total]);
    // One SGD step on a variable.
    const w = tf.variable(tf.scalar(2));
    tf.train.sgd(0.5).minimize(() => tf.square(w) as tf.Scalar);
    expect(w.dataSync()[0]).toBeCloseTo(0, 6);
    tf.dispose([x, dx, z, dz, w]);
  });
});
