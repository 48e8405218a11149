import * as tf from '@tensorflow/tfjs-core';
import { type ConvKernelAttrs, convInfo, filterGradConv } from '../conv-geometry.js';

interface Conv2DBackpropFilterKernelAttrs extends ConvKernelAttrs {
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly filterShape: [number, number, number, number];
}

/**
 * `Conv2DBackpropFilter` (missing on stock wasm): dW[i,j,c,o] = Σ_{n,y,x} X[n, y·s+i·d−pt,
 * x·s+j·d−pl, c] · dY[n,y,x,o]. Computed as one XNNPACK convolution of X transposed to
 * `[C, H, W, N]` with dY transposed to `[OH, OW, N, O]` (stride and dilation swap roles), then
 * transposed back to `[FH, FW, C, O]`. Any stride, padding (same, valid, explicit) and dilation.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
 */
export function conv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const attrs = args.attrs as unknown as Conv2DBackpropFilterKernelAttrs;
  return tf.tidy(() => {
    let x = args.inputs['x'] as tf.Tensor4D;
    let dy = args.inputs['dy'] as tf.Tensor4D;
    if (attrs.dataFormat === 'NCHW') {
      x = tf.transpose(x, [0, 2, 3, 1]);
      dy = tf.transpose(dy, [0, 2, 3, 1]);
    }
    const info = convInfo(x.shape, attrs.filterShape, attrs, false);
    const xT = tf.transpose(x, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const grad = filterGradConv(xT, dyT, info, false);
    return tf.transpose(grad, [1, 2, 0, 3]);
  });
}
