import { randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import {
  type ConvCase,
  dilatedSize,
  dilateFilter,
  runKernel,
  undilateFilter,
} from './cross-backend.js';

export type BackpropKernel =
  | 'Conv2DBackpropFilter'
  | 'Conv2DBackpropInput'
  | 'DepthwiseConv2dNativeBackpropFilter'
  | 'DepthwiseConv2dNativeBackpropInput';

/**
 * Two ways to compute one backprop kernel on the same seeded inputs: `subject` calls the
 * kernel as registered (with dilation as an attribute), `reference` calls it without dilation
 * on the zero-dilated filter (the stock cpu kernels ignore dilation), then keeps the real taps.
 */
export function backpropPair(
  kernel: BackpropKernel,
  c: ConvCase,
  seed: number,
): { subject: () => tf.Tensor; reference: () => tf.Tensor } {
  const depthwise = kernel.startsWith('Depthwise');
  const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
  const filterShape: [number, number, number, number] = [
    c.filterHeight,
    c.filterWidth,
    c.inChannels,
    c.outChannels,
  ];
  const [dfh, dfw] = dilatedSize(c);
  const dilatedShape: [number, number, number, number] = [dfh, dfw, c.inChannels, c.outChannels];
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    c.strides,
    c.dilations,
    c.pad,
    undefined,
    depthwise,
  );
  const xValues = randomArray(
    xShape.reduce((a, b) => a * b),
    seed,
  );
  const filterValues = randomArray(
    filterShape.reduce((a, b) => a * b),
    seed + 1,
  );
  const dyValues = randomArray(
    info.outShape.reduce((a, b) => a * b),
    seed + 2,
  );
  const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
  const make = () => ({
    x: tf.tensor4d(xValues, xShape),
    filter: tf.tensor4d(filterValues, filterShape),
    dy: tf.tensor4d(dyValues, info.outShape),
  });
  const isFilterGrad = kernel.endsWith('Filter');
  return {
    subject: () =>
      tf.tidy(() => {
        const { x, filter, dy } = make();
        return isFilterGrad
          ? runKernel(kernel, { x, dy }, { ...common, filterShape, dilations: c.dilations })
          : runKernel(
              kernel,
              { dy, filter },
              { ...common, inputShape: xShape, dilations: c.dilations },
            );
      }),
    reference: () =>
      tf.tidy(() => {
        const { x, filter, dy } = make();
        if (isFilterGrad) {
          const grad = runKernel(
            kernel,
            { x, dy },
            { ...common, filterShape: dilatedShape, dilations: [1, 1] },
          );
          return undilateFilter(grad as tf.Tensor4D, c.dilations);
        }
        const dilated = dilateFilter(filter, c.dilations);
        return runKernel(
          kernel,
          { dy, filter: dilated },
          { ...common, inputShape: xShape, dilations: [1, 1] },
        );
      }),
  };
}
