import { expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backpropPair } from '../../test/conv-references.js';
import { label, runOn, useBackend, worstRatio } from '../../test/cross-backend.js';
import { simdConvCases } from '../../test/simd-cases.js';
import { simdContext } from '../simd/simd-module.js';

describe('Conv2DBackpropInput SIMD kernel on wasm matches cpu', () => {
  it('runs on the SIMD kernel (the wasm backend exposes its memory)', async () => {
    await useBackend('wasm');
    expect(simdContext(tf.backend())).toBeDefined();
  });

  for (const [i, c] of simdConvCases(41, 6).entries()) {
    it(label(c), async () => {
      const { subject, reference } = backpropPair('Conv2DBackpropInput', c, 4100 + i * 7);
      const [expected] = await runOn('cpu', reference);
      const [actual] = await runOn('wasm', subject);
      // Sums over up to 576 products per pixel, accumulated in another order than cpu.
      expect(worstRatio(actual!, expected!, 1e-3, 1e-4)).toBeLessThanOrEqual(1);
    });
  }

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const { subject } = backpropPair('Conv2DBackpropInput', simdConvCases(41, 0)[0]!, 5);
    await expectNoLeaks(subject);
    expect(tf.getBackend()).toBe('wasm');
  });
});
