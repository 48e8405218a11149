import * as tf from '@tensorflow/tfjs-core';
import { callStock, type KernelArgs, type KernelFactory } from './stock-kernel.js';

/**
 * `Sum` / `Mean` of an NHWC tensor over H, W or over N, H, W (BatchNorm statistics and
 * gradients, global average pooling): one XNNPACK average pool over the whole image gives the
 * per-image channel means, then a small reduction over N. Stock wasm transposes the whole
 * tensor first and then sums with a scalar loop (≈15× slower at 128×28×28×64). Other
 * reductions and non-float32 inputs use the stock kernel.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Sum, backendName: 'wasm', kernelFunc: reduceSpatial('sum')(stock) });
 */
export function reduceSpatial(kind: 'sum' | 'mean'): KernelFactory {
  return (stock) => (args: KernelArgs) => {
    const x = args.inputs['x'] as tf.Tensor;
    const { axis, keepDims } = (args.attrs ?? {}) as {
      axis?: number | number[];
      keepDims?: boolean;
    };
    if (x.dtype !== 'float32' || x.rank !== 4) return callStock(stock, args);
    const axes = [...new Set(tf.util.parseAxisParam(axis ?? [], x.shape))]
      .sort((a, b) => a - b)
      .join();
    const overBatch = axes === '0,1,2';
    if (!overBatch && axes !== '1,2') return callStock(stock, args);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    return tf.tidy(() => {
      const means = tf.reshape(tf.avgPool(x as tf.Tensor4D, [h, w], [h, w], 'valid'), [n, c]);
      let out: tf.Tensor = means;
      if (overBatch) out = kind === 'mean' ? tf.mean(means, 0) : tf.sum(means, 0);
      if (kind === 'sum') out = tf.mul(out, h * w);
      const shape = overBatch ? [c] : [n, c];
      const kept = overBatch ? [1, 1, 1, c] : [n, 1, 1, c];
      return tf.reshape(out, keepDims ? kept : shape);
    });
  };
}
