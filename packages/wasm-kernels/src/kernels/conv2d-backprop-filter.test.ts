import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backpropPair } from '../../test/conv-references.js';
import { convCases, label, runOn, useBackend, worstRatio } from '../../test/cross-backend.js';

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  for (const [i, c] of convCases(11, 8).entries()) {
    it(label(c), async () => {
      const { subject, reference } = backpropPair('Conv2DBackpropFilter', c, 1100 + i * 7);
      const [expected] = await runOn('cpu', reference);
      const [actual] = await runOn('wasm', subject);
      expect(worstRatio(actual!, expected!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    });
  }

  it('NCHW data format (stride 2, same)', async () => {
    const x = randomArray(2 * 3 * 7 * 6, 1);
    const dy = randomArray(2 * 4 * 4 * 3, 2);
    const f = () =>
      tf.tidy(
        () =>
          tf
            .engine()
            .runKernel(
              tf.Conv2DBackpropFilter,
              { x: tf.tensor4d(x, [2, 3, 7, 6]), dy: tf.tensor4d(dy, [2, 4, 4, 3]) },
              {
                strides: 2,
                pad: 'same',
                dataFormat: 'NCHW',
                filterShape: [3, 3, 3, 4],
              } as unknown as tf.NamedAttrMap,
            ) as tf.Tensor,
      );
    const [expected] = await runOn('cpu', f);
    const [actual] = await runOn('wasm', f);
    expect(actual!.shape).toEqual([3, 3, 3, 4]);
    expect(worstRatio(actual!, expected!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const c = convCases(11, 0)[1]!;
    const { subject } = backpropPair('Conv2DBackpropFilter', c, 5);
    await expectNoLeaks(subject);
    expect(tf.getBackend()).toBe('wasm');
  });
});
