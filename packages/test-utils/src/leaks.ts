import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Calls `fn` once to warm up (kernels, caches, lazily made variables), then again, and asserts
 * that `tf.memory().numTensors` is unchanged by the second call. Whatever `fn` returns is
 * disposed, so return the result tensors rather than keeping them.
 */
export async function expectNoLeaks(fn: () => unknown): Promise<void> {
  tf.dispose((await fn()) as tf.TensorContainer);
  const before = tf.memory().numTensors;
  tf.dispose((await fn()) as tf.TensorContainer);
  const after = tf.memory().numTensors;
  expect(after - before, `tensors leaked per call on backend ${tf.getBackend()}`).toBe(0);
}
