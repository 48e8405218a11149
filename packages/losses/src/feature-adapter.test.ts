import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createFeatureAdapter } from './feature-adapter.js';

describeBackends(['cpu', 'wasm'], 'createFeatureAdapter', () => {
  it('maps the channel axis of NHWC maps and of [batch, d] vectors as a matrix product', () => {
    const adapter = createFeatureAdapter(3, 2, 5);
    const maps = tf.tensor4d(randomArray(2 * 2 * 2 * 3, 1), [2, 2, 2, 3]);
    const out = adapter.apply(maps);
    expect(out.shape).toEqual([2, 2, 2, 2]);
    const [kernel, bias] = adapter.variables as [tf.Variable, tf.Variable];
    expect(kernel.shape).toEqual([3, 2]);
    expect(kernel.trainable && bias.trainable).toBe(true);
    const k = kernel.dataSync();
    const x = maps.dataSync();
    const first = [0, 1].map((o) =>
      [0, 1, 2].reduce((acc, i) => acc + (x[i] ?? 0) * (k[i * 2 + o] ?? 0), 0),
    );
    expectAllClose(tf.slice(tf.reshape(out, [-1, 2]), [0, 0], [1, 2]), [first], { atol: 1e-6 });
    const vectors = adapter.apply(tf.ones([4, 3]));
    expect(vectors.shape).toEqual([4, 2]);
    tf.dispose([maps, out, vectors]);
    adapter.dispose();
  });

  it('is seeded and checks channels', () => {
    const a = createFeatureAdapter(4, 3, 1);
    const b = createFeatureAdapter(4, 3, 1);
    expectAllClose(a.variables[0] as tf.Variable, (b.variables[0] as tf.Variable).dataSync());
    expect(() => a.apply(tf.ones([1, 5]))).toThrow(/have 5 channels, the adapter expects 4/);
    expect(() => createFeatureAdapter(0, 3)).toThrow(/'inChannels'/);
    a.dispose();
    b.dispose();
  });

  it('does not leak, and dispose frees its variables', async () => {
    const before = tf.memory().numTensors;
    const adapter = createFeatureAdapter(3, 2);
    const x = tf.ones([2, 3]);
    await expectNoLeaks(() => adapter.apply(x));
    adapter.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
