import { assertInteger, KdkitError, SeededRandom } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A learned linear map from student to teacher channels: a 1×1 convolution on NHWC maps
 * (applied to the last axis) or a dense layer on [batch, d] features. Its kernel and bias are
 * trainable `tf.Variable`s, to be updated with the student's.
 */
export interface FeatureAdapter {
  readonly inChannels: number;
  readonly outChannels: number;
  /** [inChannels, outChannels] kernel and [outChannels] bias. */
  readonly variables: readonly tf.Variable[];
  /** Maps [..., inChannels] to [..., outChannels]. */
  apply(features: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/**
 * Creates a {@link FeatureAdapter} with Glorot-uniform kernel (seeded, so runs repeat) and
 * zero bias. A 1×1 convolution is computed as a matrix product over the channel axis, so it
 * needs no convolution-gradient kernels on any backend.
 *
 * @param inChannels the student's channels (last axis).
 * @param outChannels the teacher's channels.
 * @param seed seed of the kernel initializer. Default 0.
 * @example
 * const adapter = createFeatureAdapter(32, 64, 7);
 * const mapped = adapter.apply(studentMap); // [b, h, w, 32] → [b, h, w, 64]
 */
export function createFeatureAdapter(
  inChannels: number,
  outChannels: number,
  seed = 0,
): FeatureAdapter {
  const where = 'createFeatureAdapter';
  assertInteger(where, 'inChannels', inChannels, 1);
  assertInteger(where, 'outChannels', outChannels, 1);
  assertInteger(where, 'seed', seed, 0);
  const rng = new SeededRandom(seed);
  const limit = Math.sqrt(6 / (inChannels + outChannels));
  const values = Float32Array.from(
    { length: inChannels * outChannels },
    () => (2 * rng.nextFloat() - 1) * limit,
  );
  const kernel = tf.tidy(() => tf.variable(tf.tensor2d(values, [inChannels, outChannels]), true));
  const bias = tf.tidy(() => tf.variable(tf.zeros([outChannels]), true));
  return {
    inChannels,
    outChannels,
    variables: [kernel, bias],
    apply(features) {
      const channels = features.shape[features.rank - 1];
      if (channels !== inChannels) {
        throw new KdkitError(
          'SHAPE_MISMATCH',
          `FeatureAdapter.apply: features [${features.shape.join(', ')}] have ${channels} channels, the adapter expects ${inChannels}.`,
        );
      }
      return tf.tidy(() => {
        const flat = tf.reshape(features, [-1, inChannels]) as tf.Tensor2D;
        const mapped = tf.add(tf.matMul(flat, kernel), bias);
        return tf.reshape(mapped, [...features.shape.slice(0, -1), outChannels]);
      });
    },
    dispose() {
      kernel.dispose();
      bias.dispose();
    },
  };
}
