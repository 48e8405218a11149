import * as tf from '@tensorflow/tfjs-core';

/** Padding as tfjs kernels accept it: a name, a number, or explicit NHWC pairs. */
export type ConvPad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The geometry attributes every conv backprop kernel receives. */
export interface ConvKernelAttrs {
  readonly strides: number | [number, number];
  readonly pad: ConvPad;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly dilations?: number | [number, number];
}

/** tfjs's conv geometry (output size, pads) for NHWC input, from kernel attributes. */
export function convInfo(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvKernelAttrs,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    pair(attrs.strides),
    pair(attrs.dilations),
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** The 15 int32 geometry fields csrc/kernels.c reads for a convolution (NHWC). */
export function convGeometry(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** A pair of per-axis values: `n` or `[h, w]` becomes `[h, w]`. */
export function pair(
  value: number | readonly number[] | undefined,
  fallback = 1,
): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  const h = value[0] ?? fallback;
  return [h, value[1] ?? h];
}

/**
 * A stride-1-or-more convolution whose leading/trailing paddings may be negative: a negative
 * padding crops that many rows/columns of `x` instead. Runs the backend's own `Conv2D` (or
 * `DepthwiseConv2dNative`) kernel, which on wasm is XNNPACK.
 */
export function convWithSignedPads(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: {
    readonly depthwise: boolean;
    readonly strides: [number, number];
    readonly dilations: [number, number];
    readonly pads: { top: number; bottom: number; left: number; right: number };
  },
): tf.Tensor4D {
  const { top, bottom, left, right } = options.pads;
  const [n, h, w, c] = x.shape;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const keepH = h - cropTop - Math.max(0, -bottom);
  const keepW = w - cropLeft - Math.max(0, -right);
  const cropped =
    cropTop > 0 || cropLeft > 0 || keepH < h || keepW < w
      ? tf.slice(x, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c])
      : x;
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  // runKernel, not tf.conv2d: the op refuses stride > 1 together with dilation > 1, XNNPACK doesn't.
  const out = tf
    .engine()
    .runKernel(options.depthwise ? tf.DepthwiseConv2dNative : tf.Conv2D, { x: cropped, filter }, {
      strides: options.strides,
      pad,
      dataFormat: 'NHWC',
      dilations: options.dilations,
    } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  if (cropped !== x) cropped.dispose();
  return out;
}

/**
 * Inserts `stride − 1` zeros after every row and column: `[n, h, w, c]` becomes
 * `[n, h·sh, w·sw, c]`. A transposed convolution with stride s is a stride-1 convolution of this.
 */
export function insertZeros(x: tf.Tensor4D, strides: [number, number]): tf.Tensor4D {
  const [sh, sw] = strides;
  if (sh === 1 && sw === 1) return tf.clone(x);
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const spread = tf.reshape(x, [n, h, 1, w, 1, c]);
    const padded = tf.pad(spread, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    return tf.reshape(padded, [n, h * sh, w * sw, c]);
  });
}

/**
 * The input gradient of a convolution (x → y) as a stride-1 convolution of the zero-inserted
 * `dy` with the spatially flipped filter. `flipped` must already be in the layout the forward
 * kernel of `depthwise` expects.
 */
export function transposedConv(
  dy: tf.Tensor4D,
  flipped: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  depthwise: boolean,
): tf.Tensor4D {
  return tf.tidy(() => {
    const strides: [number, number] = [info.strideHeight, info.strideWidth];
    const spread = insertZeros(dy, strides);
    const spanH = (info.filterHeight - 1) * info.dilationHeight;
    const spanW = (info.filterWidth - 1) * info.dilationWidth;
    const top = spanH - info.padInfo.top;
    const left = spanW - info.padInfo.left;
    const bottom = info.inHeight + spanH - spread.shape[1] - top;
    const right = info.inWidth + spanW - spread.shape[2] - left;
    return convWithSignedPads(spread, flipped, {
      depthwise,
      strides: [1, 1],
      dilations: [info.dilationHeight, info.dilationWidth],
      pads: { top, bottom, left, right },
    });
  });
}

/**
 * The filter gradient of a convolution as one forward convolution in which the batch plays
 * the channels: `xT` is `[groups, H, W, N·k]`, `dyT` the filter `[OH, OW, …]`; the forward
 * stride becomes the dilation and the dilation the stride. Output spatial size is the filter's.
 */
export function filterGradConv(
  xT: tf.Tensor4D,
  dyT: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  depthwise: boolean,
): tf.Tensor4D {
  const { top, left } = info.padInfo;
  const bottom =
    (info.filterHeight - 1) * info.dilationHeight +
    (info.outHeight - 1) * info.strideHeight +
    1 -
    info.inHeight -
    top;
  const right =
    (info.filterWidth - 1) * info.dilationWidth +
    (info.outWidth - 1) * info.strideWidth +
    1 -
    info.inWidth -
    left;
  return convWithSignedPads(xT, dyT, {
    depthwise,
    strides: [info.dilationHeight, info.dilationWidth],
    dilations: [info.strideHeight, info.strideWidth],
    pads: { top, bottom, left, right },
  });
}
