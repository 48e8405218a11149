import * as tf from '@tensorflow/tfjs-core';
import { type ConvKernelAttrs, convInfo, filterGradConv } from '../conv-geometry.js';

interface DepthwiseBackpropFilterKernelAttrs extends ConvKernelAttrs {
  readonly filterShape: [number, number, number, number];
}

/**
 * `DepthwiseConv2dNativeBackpropFilter` (missing on stock wasm): dW[i,j,c,m] =
 * Σ_{n,y,x} X[n, y·s+i·d−pt, x·s+j·d−pl, c] · dY[n,y,x,c·M+m]. Computed as one XNNPACK
 * depthwise convolution over a single image whose channels are (n, c): X as `[1, H, W, N·C]`,
 * dY as the filter `[OH, OW, N·C, M]`, with stride and dilation swapped; then a sum over n.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: depthwiseConv2dBackpropFilter });
 */
export function depthwiseConv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const attrs = args.attrs as unknown as DepthwiseBackpropFilterKernelAttrs;
  return tf.tidy(() => {
    const x = args.inputs['x'] as tf.Tensor4D;
    const dy = args.inputs['dy'] as tf.Tensor4D;
    const [fh, fw, channels, multiplier] = attrs.filterShape;
    const info = convInfo(x.shape, attrs.filterShape, attrs, true);
    const [n, h, w] = x.shape;
    const xT = tf.reshape<tf.Rank.R4>(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * channels]);
    const dyT = tf.reshape<tf.Rank.R4>(tf.transpose(dy, [1, 2, 0, 3]), [
      info.outHeight,
      info.outWidth,
      n * channels,
      multiplier,
    ]);
    const perImage = filterGradConv(xT, dyT, info, true);
    const summed = tf.sum(tf.reshape(perImage, [fh, fw, n, channels * multiplier]), 2);
    return tf.reshape(summed, [fh, fw, channels, multiplier]);
  });
}
