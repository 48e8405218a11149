import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

const CASES: Array<{ shape: number[]; reps: number[]; dtype: 'float32' | 'int32' }> = [
  { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1], dtype: 'float32' },
  { shape: [1, 7], reps: [9, 1], dtype: 'float32' },
  { shape: [1, 3, 2], reps: [4, 1, 1], dtype: 'float32' },
  { shape: [2, 3], reps: [2, 2], dtype: 'float32' },
  { shape: [1, 1, 4], reps: [2, 3, 2], dtype: 'float32' },
  { shape: [1, 1, 3], reps: [2, 2, 1], dtype: 'int32' },
  { shape: [3], reps: [1], dtype: 'float32' },
];

describe('Tile on wasm matches cpu (broadcast fast path and stock fallback)', () => {
  for (const [i, c] of CASES.entries()) {
    it(`[${c.shape}] × [${c.reps}] ${c.dtype}`, async () => {
      const values = Array.from(
        randomArray(
          c.shape.reduce((p, d) => p * d),
          30 + i,
          -9,
          9,
        ),
        Math.round,
      );
      const f = () => tf.tidy(() => tf.tile(tf.tensor(values, c.shape, c.dtype), c.reps));
      const [expected] = await runOn('cpu', f);
      const [actual] = await runOn('wasm', f);
      expect(worstRatio(actual!, expected!, 0, 0)).toBe(0);
    });
  }

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.ones([1, 1, 3]);
    await expectNoLeaks(() => tf.tile(x, [4, 2, 1]));
    x.dispose();
  });
});
