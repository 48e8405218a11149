import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backpropPair } from '../../test/conv-references.js';
import { convCases, label, runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

describe('Conv2DBackpropInput on wasm matches cpu', () => {
  for (const [i, c] of convCases(21, 8).entries()) {
    it(label(c), async () => {
      const { subject, reference } = backpropPair('Conv2DBackpropInput', c, 2100 + i * 7);
      const [expected] = await runOn('cpu', reference);
      const [actual] = await runOn('wasm', subject);
      expect(worstRatio(actual!, expected!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    });
  }

  it('NCHW data format (stride 2, same)', async () => {
    const dy = randomArray(2 * 4 * 4 * 4, 2);
    const w = randomArray(3 * 3 * 3 * 4, 3);
    const f = () =>
      tf.tidy(
        () =>
          tf
            .engine()
            .runKernel(
              tf.Conv2DBackpropInput,
              { dy: tf.tensor4d(dy, [2, 4, 4, 4]), filter: tf.tensor4d(w, [3, 3, 3, 4]) },
              {
                strides: 2,
                pad: 'same',
                dataFormat: 'NCHW',
                inputShape: [2, 3, 7, 8],
              } as unknown as tf.NamedAttrMap,
            ) as tf.Tensor,
      );
    const [expected] = await runOn('cpu', f);
    const [actual] = await runOn('wasm', f);
    expect(actual!.shape).toEqual([2, 3, 7, 8]);
    expect(worstRatio(actual!, expected!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const c = convCases(21, 0)[1]!;
    const { subject } = backpropPair('Conv2DBackpropInput', c, 5);
    await expectNoLeaks(subject);
    expect(tf.getBackend()).toBe('wasm');
  });
});
