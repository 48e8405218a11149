import * as tf from '@tensorflow/tfjs-core';
import { simdContext } from '../simd/simd-module.js';
import { maxPoolGradByMasks } from './max-pool-grad.js';
import type { KernelArgs, KernelFactory } from './stock-kernel.js';

/**
 * `MaxPoolGrad` in kdkit's SIMD kernel (csrc/kernels.c): each window sends dY to the first
 * tap (row-major) holding its max, like the cpu kernel; taps in the padding are skipped.
 * Vectorized over channels, one pass over the windows, reading and writing tfjs-wasm's heap.
 * Non-float32 inputs, or a backend whose memory it cannot reach, use {@link maxPoolGradByMasks}.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGradSimd(stock) });
 */
export const maxPoolGradSimd: KernelFactory = (stock) => {
  const composed = maxPoolGradByMasks(stock);
  return (args: KernelArgs) => {
    const dy = args.inputs['dy'] as tf.TensorInfo;
    const x = args.inputs['input'] as tf.TensorInfo;
    const simd = simdContext(args.backend);
    if (!simd || x.dtype !== 'float32' || dy.dtype !== 'float32') return composed(args);
    const attrs = (args.attrs ?? {}) as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const out = simd.output(x.shape.slice());
    const geometry = [
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    ];
    simd.withScratch(geometry, 0, (geo) =>
      simd.kernels.kd_max_pool_grad(geo, simd.address(x), simd.address(dy), simd.address(out)),
    );
    return out;
  };
};
