import * as tf from '@tensorflow/tfjs-core';
// Bare tfjs-core registers no gradients; tfjs-layers (as in any kdkit training setup) does.
import '@tensorflow/tfjs-layers';

/**
 * Central finite differences of a scalar function at `x`, element by element.
 * For tests on small tensors only.
 */
export function finiteDifferenceGrad(
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  h = 1e-2,
): Float64Array {
  const base = x.dataSync();
  const out = new Float64Array(base.length);
  const evaluate = (values: Float32Array): number =>
    tf.tidy(() => f(tf.tensor(values, x.shape)).dataSync()[0] ?? Number.NaN);
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] = (plus[i] ?? 0) + h;
    minus[i] = (minus[i] ?? 0) - h;
    out[i] = (evaluate(plus) - evaluate(minus)) / (2 * h);
  }
  return out;
}

/** The analytic gradient of a scalar function at `x`, via tf.grad. */
export function analyticGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): Float32Array {
  return tf.tidy(
    () =>
      tf
        .grad((v: tf.Tensor) => f(v) as tf.Scalar)(x)
        .dataSync() as Float32Array,
  );
}
