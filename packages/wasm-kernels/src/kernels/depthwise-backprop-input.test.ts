import { expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backpropPair } from '../../test/conv-references.js';
import { convCases, label, runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

describe('DepthwiseConv2dNativeBackpropInput on wasm matches cpu', () => {
  for (const [i, c] of convCases(41, 8).entries()) {
    it(label(c), async () => {
      const { subject, reference } = backpropPair(
        'DepthwiseConv2dNativeBackpropInput',
        c,
        4100 + i * 7,
      );
      const [expected] = await runOn('cpu', reference);
      const [actual] = await runOn('wasm', subject);
      expect(worstRatio(actual!, expected!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    });
  }

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const c = convCases(41, 0)[1]!;
    const { subject } = backpropPair('DepthwiseConv2dNativeBackpropInput', c, 5);
    await expectNoLeaks(subject);
    expect(tf.getBackend()).toBe('wasm');
  });
});
