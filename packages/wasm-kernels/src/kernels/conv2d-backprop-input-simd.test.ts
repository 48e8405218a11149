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

  it('with tfjs threads, runs stride 1 on the threaded XNNPACK composition and stride 2 here; both match cpu', async () => {
    await useBackend('wasm');
    const bindings = (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } })
      .wasm.tfjs;
    const real = bindings.getThreadsCount;
    bindings.getThreadsCount = () => 2;
    try {
      const [stride2, stride1] = simdConvCases(41, 0);
      expect([stride2?.strides, stride1?.strides]).toEqual([
        [2, 2],
        [1, 1],
      ]);
      for (const c of [stride2!, stride1!]) {
        const { subject, reference } = backpropPair('Conv2DBackpropInput', c, 77);
        const [expected] = await runOn('cpu', reference);
        const profile = await tf.profile(async () => {
          const [actual] = await runOn('wasm', subject);
          expect(worstRatio(actual!, expected!, 1e-3, 1e-4)).toBeLessThanOrEqual(1);
        });
        // The composition runs XNNPACK's Conv2D inside the kernel; the SIMD kernel runs alone.
        const composed = profile.kernelNames.includes('Conv2D');
        expect(composed).toBe(c.strides[0] === 1);
      }
    } finally {
      bindings.getThreadsCount = real;
    }
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const { subject } = backpropPair('Conv2DBackpropInput', simdConvCases(41, 0)[0]!, 5);
    await expectNoLeaks(subject);
    expect(tf.getBackend()).toBe('wasm');
  });
});
