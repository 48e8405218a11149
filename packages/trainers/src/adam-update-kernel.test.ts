import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  ADAM_UPDATE_KERNEL,
  type AdamUpdateAttrs,
  adamUpdateCpu,
  registerAdamUpdateCpu,
} from './adam-update-kernel.js';

const FIRST_STEP: AdamUpdateAttrs = {
  learningRate: 0.5,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  beta1Power: 0.9,
  beta2Power: 0.999,
};

function update(inputs: tf.NamedTensorMap, attrs: AdamUpdateAttrs = FIRST_STEP): tf.Tensor[] {
  return tf
    .engine()
    .runKernel(ADAM_UPDATE_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

describeBackends(['cpu'], `${ADAM_UPDATE_KERNEL} on cpu`, () => {
  it('registers once', () => {
    registerAdamUpdateCpu();
    registerAdamUpdateCpu();
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'cpu')?.kernelFunc).toBe(adamUpdateCpu);
  });

  it('first step from m = v = 0: m = 0.1·g, v = 0.001·g², value − lr·sign(g)', () => {
    registerAdamUpdateCpu();
    const g = [2, -3, 0.5, -0.25, 0, 8];
    const [value, m, v] = tf.tidy(() =>
      update({
        value: tf.ones([2, 3]),
        m: tf.zeros([2, 3]),
        v: tf.zeros([2, 3]),
        gradient: tf.tensor2d(g, [2, 3]),
      }),
    ) as [tf.Tensor, tf.Tensor, tf.Tensor];
    expect(value.shape).toEqual([2, 3]);
    expect(value).toBeAllClose(g.map((x) => 1 - 0.5 * Math.sign(x)));
    expect(m).toBeAllClose(g.map((x) => 0.1 * x));
    expect(v).toBeAllClose(g.map((x) => 0.001 * x * x));
    tf.dispose([value, m, v]);
  });

  it('refuses other shapes or dtypes, naming the input', () => {
    registerAdamUpdateCpu();
    const fails = (gradient: tf.Tensor) => {
      const x = tf.zeros([3]);
      try {
        update({ value: x, m: x, v: x, gradient });
        return undefined;
      } catch (e) {
        return e;
      } finally {
        tf.dispose([x, gradient]);
      }
    };
    const shape = fails(tf.zeros([4]));
    expect(isKdkitError(shape, 'SHAPE_MISMATCH')).toBe(true);
    expect(String(shape)).toContain("input 'gradient' has shape [4], 'value' [3]");
    const dtype = fails(tf.zeros([3], 'int32'));
    expect(isKdkitError(dtype, 'DTYPE_MISMATCH')).toBe(true);
    expect(String(dtype)).toContain("input 'gradient' must be a float32 tensor, got int32");
  });

  it('leaks no tensors', async () => {
    registerAdamUpdateCpu();
    const x = tf.ones([5]);
    await expectNoLeaks(() => update({ value: x, m: x, v: x, gradient: x }));
    x.dispose();
  });
});
