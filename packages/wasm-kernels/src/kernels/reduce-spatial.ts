import * as tf from '@tensorflow/tfjs-core';
import { callStock, type KernelArgs, type KernelFactory } from './stock-kernel.js';

/**
 * `Sum` / `Mean` (float32) without stock wasm's full transpose:
 * - over H, W or N, H, W of an NHWC tensor (BatchNorm statistics and gradients, global average
 *   pooling): one XNNPACK average pool over the whole image gives the per-image channel means,
 *   then a small reduction over N (stock is ≈15× slower at 128×28×28×64);
 * - over any other run of adjacent axes that is not innermost, e.g. axis 0 or 1 of a [b, b, d]
 *   tensor (broadcast gradients, RKD's angle term): x viewed as [outer, r, inner] is summed as
 *   `ones[outer, 1, r] · x`, a batched product with no copy of x (stock transposes all of x
 *   first: twice the memory; 1.2–19× slower at 32×32×12544 and 64×64×128).
 * Reductions over innermost axes, over non-adjacent axes, of non-float32 or empty inputs use the
 * stock kernel.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Sum, backendName: 'wasm', kernelFunc: reduceSpatial('sum')(stock) });
 */
export function reduceSpatial(kind: 'sum' | 'mean'): KernelFactory {
  return (stock) => (args: KernelArgs) => {
    const x = args.inputs['x'] as tf.Tensor;
    const { axis, keepDims } = (args.attrs ?? {}) as {
      axis?: number | number[] | null;
      keepDims?: boolean;
    };
    if (x.dtype !== 'float32' || x.size === 0 || axis === null || axis === undefined) {
      return callStock(stock, args);
    }
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const list = axes.join();
    if (x.rank === 4 && (list === '0,1,2' || list === '1,2')) {
      return spatial(kind, x as tf.Tensor4D, list === '0,1,2', keepDims === true);
    }
    const first = axes[0];
    const last = axes[axes.length - 1];
    const adjacent = first !== undefined && last !== undefined && last - first + 1 === axes.length;
    if (!adjacent || last === x.rank - 1) return callStock(stock, args);
    return overBlock(kind, x, first, last, keepDims === true);
  };
}

/** Mean over H, W (and N) of NHWC: an average pool over the whole image. */
function spatial(kind: 'sum' | 'mean', x: tf.Tensor4D, overBatch: boolean, keepDims: boolean) {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const means = tf.reshape(tf.avgPool(x, [h, w], [h, w], 'valid'), [n, c]);
    let out: tf.Tensor = means;
    if (overBatch) out = kind === 'mean' ? tf.mean(means, 0) : tf.sum(means, 0);
    if (kind === 'sum') out = tf.mul(out, h * w);
    const shape = overBatch ? [c] : [n, c];
    const kept = overBatch ? [1, 1, 1, c] : [n, 1, 1, c];
    return tf.reshape(out, keepDims ? kept : shape);
  });
}

/** Sum (or mean) over the adjacent axes first..last, not innermost: `ones · x` per outer index. */
function overBlock(
  kind: 'sum' | 'mean',
  x: tf.Tensor,
  first: number,
  last: number,
  keepDims: boolean,
): tf.Tensor {
  const size = (dims: number[]) => dims.reduce((p, d) => p * d, 1);
  const outer = size(x.shape.slice(0, first));
  const reduced = size(x.shape.slice(first, last + 1));
  const inner = size(x.shape.slice(last + 1));
  const kept = x.shape.map((d, i) => (i >= first && i <= last ? 1 : d));
  const shape = keepDims ? kept : x.shape.filter((_, i) => i < first || i > last);
  return tf.tidy(() => {
    const weight = kind === 'mean' ? 1 / reduced : 1;
    const ones = tf.fill([outer, 1, reduced], weight);
    return tf.reshape(tf.matMul(ones, tf.reshape(x, [outer, reduced, inner])), shape);
  });
}
