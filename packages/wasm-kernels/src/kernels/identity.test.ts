import { expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../test/cross-backend.js';

describe('Identity on wasm shares the buffer', () => {
  it('clone keeps values after the original is disposed, and disposing both frees the buffer', async () => {
    await useBackend('wasm');
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    const x = tf.tensor2d([1, 2, 3, 4.5], [2, 2]);
    const y = tf.clone(x);
    expect(buffers() - before).toBe(1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4.5]);
    expect(y.shape).toEqual([2, 2]);
    y.dispose();
    expect(buffers()).toBe(before);
  });

  it('keeps int32 and bool dtypes, and a variable assigned from a clone is independent', async () => {
    await useBackend('wasm');
    const ints = tf.tensor1d([7, -3], 'int32');
    const intClone = tf.clone(ints);
    expect(intClone.dtype).toBe('int32');
    expect(Array.from(intClone.dataSync())).toEqual([7, -3]);
    const v = tf.variable(tf.clone(ints));
    v.assign(tf.tensor1d([1, 1], 'int32'));
    expect(Array.from(ints.dataSync())).toEqual([7, -3]);
    tf.dispose([ints, intClone, v]);
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.ones([3, 3]);
    await expectNoLeaks(() => tf.clone(x));
    x.dispose();
  });
});
