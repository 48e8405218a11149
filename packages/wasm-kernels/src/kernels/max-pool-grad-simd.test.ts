import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runOn, useBackend, worstRatio } from '../../test/cross-backend.js';
import { simdContext } from '../simd/simd-module.js';

// Channels 4, 8 (vector lanes only), 6 and 11 (vector lanes plus a scalar tail).
const CASES: Array<{
  shape: [number, number, number, number];
  size: number | [number, number];
  stride: number | [number, number];
  pad: 'valid' | 'same';
}> = [
  { shape: [2, 8, 8, 8], size: 2, stride: 2, pad: 'valid' },
  { shape: [1, 7, 9, 6], size: 2, stride: 2, pad: 'same' },
  { shape: [2, 7, 7, 4], size: 3, stride: 2, pad: 'same' },
  { shape: [1, 9, 6, 11], size: 3, stride: 1, pad: 'valid' },
  { shape: [2, 6, 10, 8], size: [2, 3], stride: [2, 1], pad: 'same' },
  { shape: [1, 5, 5, 8], size: 1, stride: 1, pad: 'valid' },
  { shape: [2, 12, 12, 16], size: 3, stride: 3, pad: 'valid' },
];

describe('MaxPoolGrad SIMD kernel on wasm matches cpu (wide channels, ties, padding)', () => {
  it('runs on the SIMD kernel (the wasm backend exposes its memory)', async () => {
    await useBackend('wasm');
    expect(simdContext(tf.backend())).toBeDefined();
  });

  for (const [i, c] of CASES.entries()) {
    it(`x [${c.shape}] pool ${c.size} stride ${c.stride} ${c.pad}`, async () => {
      const size = c.shape.reduce((p, d) => p * d);
      // Quantised ReLU-like values: many ties (zeros and repeats) inside windows.
      const values = Array.from(randomArray(size, 70 + i, -2, 3), (v) =>
        Math.max(0, Math.round(v)),
      );
      const g = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(values, c.shape);
          const y = tf.maxPool(x, c.size, c.stride, c.pad);
          const dy = tf.tensor(randomArray(y.size, 80 + i), y.shape);
          return tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, {
            filterSize: c.size,
            strides: c.stride,
            pad: c.pad,
          } as unknown as tf.NamedAttrMap) as tf.Tensor;
        });
      const [expected] = await runOn('cpu', g);
      const [actual] = await runOn('wasm', g);
      expect(worstRatio(actual!, expected!, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    });
  }

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.tensor4d(randomArray(2 * 6 * 6 * 8, 9), [2, 6, 6, 8]);
    await expectNoLeaks(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same')))(x),
    );
    x.dispose();
  });
});
