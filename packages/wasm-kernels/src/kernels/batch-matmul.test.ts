import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

const CASES: Array<{ a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = [
  { a: [37, 19], b: [37, 23], transposeA: true, transposeB: false },
  { a: [17, 29], b: [13, 29], transposeA: false, transposeB: true },
  { a: [29, 17], b: [13, 29], transposeA: true, transposeB: true },
  { a: [3, 11, 7], b: [3, 11, 5], transposeA: true, transposeB: false },
  { a: [2, 6, 9], b: [2, 4, 9], transposeA: false, transposeB: true },
  { a: [9, 6], b: [6, 4], transposeA: false, transposeB: false },
];

describe('BatchMatMul with transposes on wasm matches cpu', () => {
  for (const [i, c] of CASES.entries()) {
    it(`a [${c.a}] b [${c.b}] tA ${c.transposeA} tB ${c.transposeB}`, async () => {
      const f = () =>
        tf.tidy(() =>
          tf.matMul(
            tf.tensor(
              randomArray(
                c.a.reduce((p, d) => p * d),
                10 + i,
              ),
              c.a,
            ),
            tf.tensor(
              randomArray(
                c.b.reduce((p, d) => p * d),
                20 + i,
              ),
              c.b,
            ),
            c.transposeA,
            c.transposeB,
          ),
        );
      const [expected] = await runOn('cpu', f);
      const [actual] = await runOn('wasm', f);
      expect(worstRatio(actual!, expected!, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
    });
  }

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const a = tf.ones([5, 4]);
    const b = tf.ones([3, 4]);
    await expectNoLeaks(() => tf.matMul(a, b, false, true));
    await expectNoLeaks(() => tf.matMul(a, a, true, false));
    tf.dispose([a, b]);
  });
});
