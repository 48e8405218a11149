import * as tf from '@tensorflow/tfjs-core';
import { type ConvKernelAttrs, convInfo, transposedConv } from '../conv-geometry.js';

interface DepthwiseBackpropInputKernelAttrs extends ConvKernelAttrs {
  readonly inputShape: [number, number, number, number];
}

/**
 * `DepthwiseConv2dNativeBackpropInput` (missing on stock wasm): a stride-1 XNNPACK depthwise
 * convolution of dY (zeros inserted between pixels when the stride is > 1) over its C·M
 * channels with the spatially flipped filter, then a sum over the channel multiplier M.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: depthwiseConv2dBackpropInput });
 */
export function depthwiseConv2dBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const attrs = args.attrs as unknown as DepthwiseBackpropInputKernelAttrs;
  return tf.tidy(() => {
    const dy = args.inputs['dy'] as tf.Tensor4D;
    const filter = args.inputs['filter'] as tf.Tensor4D;
    const [fh, fw, channels, multiplier] = filter.shape;
    const info = convInfo(attrs.inputShape, filter.shape, attrs, true);
    const flipped = tf.reshape<tf.Rank.R4>(tf.reverse(filter, [0, 1]), [
      fh,
      fw,
      channels * multiplier,
      1,
    ]);
    const dx = transposedConv(dy, flipped, info, true);
    if (multiplier === 1) return dx;
    const [n, h, w] = attrs.inputShape;
    return tf.sum(tf.reshape(dx, [n, h, w, channels, multiplier]), 4);
  });
}
