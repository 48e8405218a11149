import * as tf from '@tensorflow/tfjs-core';
import { type ConvKernelAttrs, convInfo, transposedConv } from '../conv-geometry.js';

interface Conv2DBackpropInputKernelAttrs extends ConvKernelAttrs {
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly inputShape: [number, number, number, number];
}

/**
 * `Conv2DBackpropInput` (stock wasm runs it as a scalar loop): dX is a stride-1 XNNPACK
 * convolution of dY (with stride − 1 zeros inserted between pixels when the stride is > 1)
 * with the filter flipped in space and its channel axes swapped, `[FH, FW, O, C]`, padded by
 * `(FH − 1)·d − pad`.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2dBackpropInput });
 */
export function conv2dBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const attrs = args.attrs as unknown as Conv2DBackpropInputKernelAttrs;
  return tf.tidy(() => {
    let dy = args.inputs['dy'] as tf.Tensor4D;
    const filter = args.inputs['filter'] as tf.Tensor4D;
    const nchw = attrs.dataFormat === 'NCHW';
    const [n, d1, d2, d3] = attrs.inputShape;
    const inputShape: [number, number, number, number] = nchw ? [n, d2, d3, d1] : [n, d1, d2, d3];
    if (nchw) dy = tf.transpose(dy, [0, 2, 3, 1]);
    const info = convInfo(inputShape, filter.shape, attrs, false);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const dx = transposedConv(dy, flipped, info, false);
    return nchw ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}
