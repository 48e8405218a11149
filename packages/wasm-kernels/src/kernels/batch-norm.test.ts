import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

const CASES: Array<{ shape: number[]; stats: number[]; scale: boolean; offset: boolean }> = [
  { shape: [3, 5, 4, 6], stats: [6], scale: true, offset: true },
  { shape: [3, 5, 4, 6], stats: [6], scale: false, offset: true },
  { shape: [3, 5, 4, 6], stats: [6], scale: true, offset: false },
  { shape: [7, 9], stats: [9], scale: true, offset: true },
  { shape: [2, 3, 5], stats: [5], scale: true, offset: true },
  { shape: [2, 3, 4, 5], stats: [1, 1, 4, 5], scale: true, offset: true },
];

describe('FusedBatchNorm on wasm matches cpu (per-channel fast path and stock fallback)', () => {
  for (const [i, c] of CASES.entries()) {
    it(`x [${c.shape}] stats [${c.stats}] scale ${c.scale} offset ${c.offset}`, async () => {
      const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
      const x = randomArray(size(c.shape), 70 + i, -3, 5);
      const mean = randomArray(size(c.stats), 80 + i, -1, 2);
      const variance = randomArray(size(c.stats), 90 + i, 0.2, 3);
      const scale = randomArray(size(c.stats), 100 + i, 0.5, 2);
      const offset = randomArray(size(c.stats), 110 + i, -1, 1);
      const f = () =>
        tf.tidy(() =>
          tf.batchNorm(
            tf.tensor(x, c.shape),
            tf.tensor(mean, c.stats),
            tf.tensor(variance, c.stats),
            c.offset ? tf.tensor(offset, c.stats) : undefined,
            c.scale ? tf.tensor(scale, c.stats) : undefined,
            1e-3,
          ),
        );
      const [expected] = await runOn('cpu', f);
      const [actual] = await runOn('wasm', f);
      expect(worstRatio(actual!, expected!, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    });
  }

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.ones([2, 3, 3, 4]);
    const m = tf.zeros([4]);
    const v = tf.ones([4]);
    await expectNoLeaks(() => tf.batchNorm(x, m, v, m, v, 1e-3));
    tf.dispose([x, m, v]);
  });
});
