import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

const CASES: Array<{
  shape: [number, number, number, number];
  size: number | [number, number];
  stride: number | [number, number];
  pad: 'valid' | 'same';
}> = [
  { shape: [2, 8, 6, 3], size: 2, stride: 2, pad: 'valid' },
  { shape: [2, 7, 9, 2], size: 2, stride: 2, pad: 'valid' },
  { shape: [1, 9, 9, 2], size: 3, stride: 3, pad: 'same' },
  { shape: [2, 6, 8, 2], size: [2, 1], stride: [2, 1], pad: 'valid' },
  { shape: [2, 7, 7, 2], size: 2, stride: 2, pad: 'same' },
  { shape: [2, 7, 7, 2], size: 3, stride: 2, pad: 'same' },
  { shape: [1, 6, 6, 1], size: 3, stride: 1, pad: 'valid' },
  { shape: [2, 9, 8, 3], size: 3, stride: 2, pad: 'valid' },
  { shape: [1, 5, 7, 2], size: [2, 3], stride: [1, 2], pad: 'same' },
];

describe('MaxPoolGrad on wasm matches cpu (disjoint and overlapping windows, padding, ties)', () => {
  for (const [i, c] of CASES.entries()) {
    it(`x [${c.shape}] pool ${c.size} stride ${c.stride} ${c.pad}`, async () => {
      const size = c.shape.reduce((p, d) => p * d);
      // Quantised ReLU-like values: many ties (zeros and repeats) inside windows.
      const values = Array.from(randomArray(size, 50 + i, -2, 3), (v) =>
        Math.max(0, Math.round(v)),
      );
      const g = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(values, c.shape);
          const y = tf.maxPool(x, c.size, c.stride, c.pad);
          const dy = tf.tensor(randomArray(y.size, 60 + i), y.shape);
          return tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, {
            filterSize: c.size,
            strides: c.stride,
            pad: c.pad,
          } as unknown as tf.NamedAttrMap) as tf.Tensor;
        });
      const [expected] = await runOn('cpu', g);
      const [actual] = await runOn('wasm', g);
      // Overlapping windows sum contributions in another order: float32 rounding only.
      expect(worstRatio(actual!, expected!, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    });
  }

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.tensor4d(randomArray(2 * 4 * 4 * 3, 9), [2, 4, 4, 3]);
    await expectNoLeaks(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(x),
    );
    x.dispose();
  });
});
