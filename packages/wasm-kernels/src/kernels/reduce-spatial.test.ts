import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

const CASES: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
  { shape: [6, 5, 7, 3], axis: [0, 1, 2], keepDims: false },
  { shape: [6, 5, 7, 3], axis: [2, 0, 1], keepDims: true },
  { shape: [4, 9, 3, 5], axis: [1, 2], keepDims: false },
  { shape: [4, 9, 3, 5], axis: [-2, -3], keepDims: true },
  { shape: [1, 1, 1, 4], axis: [0, 1, 2], keepDims: false },
  { shape: [4, 5, 6, 2], axis: [0, 1], keepDims: false },
  { shape: [4, 5, 6, 2], axis: -1, keepDims: false },
  { shape: [130, 9], axis: 0, keepDims: false },
  { shape: [4, 5, 6], axis: [0, 1], keepDims: true },
  // Not spatial: RKD's [b, b] and [b, b, d] reductions and broadcast gradients (adjacent axes
  // that are not innermost take the ones·x product, the others the stock kernel).
  { shape: [6, 6, 5], axis: 0, keepDims: false },
  { shape: [6, 6, 5], axis: [1], keepDims: true },
  { shape: [6, 6, 5], axis: 2, keepDims: true },
  { shape: [6, 6, 5], axis: [0, 2], keepDims: false },
  { shape: [6, 7], axis: [0, 1], keepDims: false },
  { shape: [6, 7], axis: 0, keepDims: true },
  { shape: [9, 130], axis: -2, keepDims: false },
  { shape: [1, 8, 5], axis: 0, keepDims: false },
  { shape: [4, 1, 5], axis: [1], keepDims: false },
  { shape: [3, 4, 5, 2], axis: [0, 1], keepDims: true },
  { shape: [3, 4, 5, 2], axis: [1, 3], keepDims: false },
  { shape: [3, 4, 5, 2], axis: [1, 2, 3], keepDims: false },
  { shape: [2, 3, 4, 5, 2], axis: [1, 2], keepDims: true },
  { shape: [2, 3, 4, 5, 2], axis: [0, 1, 2], keepDims: false },
];

describe('Sum and Mean on wasm match cpu (spatial fast path and stock fallback)', () => {
  for (const op of ['sum', 'mean'] as const) {
    for (const [i, c] of CASES.entries()) {
      it(`${op} [${c.shape}] axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, async () => {
        const values = randomArray(
          c.shape.reduce((p, d) => p * d),
          40 + i,
          -2,
          3,
        );
        const reduce = op === 'sum' ? tf.sum : tf.mean;
        const f = () => tf.tidy(() => reduce(tf.tensor(values, c.shape), c.axis, c.keepDims));
        const [expected] = await runOn('cpu', f);
        const [actual] = await runOn('wasm', f);
        expect(worstRatio(actual!, expected!, 1e-4, 1e-5)).toBeLessThanOrEqual(1);
      });
    }
  }

  for (const op of ['sum', 'mean'] as const) {
    it(`${op} over every axis (axis null) of a [6, 6] matrix`, async () => {
      const values = randomArray(36, 90, -2, 3);
      const reduce = op === 'sum' ? tf.sum : tf.mean;
      const f = () => tf.tidy(() => reduce(tf.tensor(values, [6, 6])));
      const [expected] = await runOn('cpu', f);
      const [actual] = await runOn('wasm', f);
      expect(worstRatio(actual!, expected!, 1e-4, 1e-5)).toBeLessThanOrEqual(1);
    });
  }

  it('int32 sums stay exact and int32', async () => {
    await useBackend('wasm');
    const out = tf.tidy(() => tf.sum(tf.tensor4d([1, 2, 3, 4], [2, 1, 1, 2], 'int32'), [0, 1, 2]));
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.dataSync())).toEqual([4, 6]);
    out.dispose();
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.ones([3, 4, 5, 2]);
    await expectNoLeaks(() => [
      tf.sum(x, [0, 1, 2]),
      tf.mean(x, [1, 2], true),
      tf.sum(x, [0, 1]),
      tf.mean(x, 1, true),
    ]);
    x.dispose();
  });
});
