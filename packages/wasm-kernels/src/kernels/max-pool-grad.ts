import * as tf from '@tensorflow/tfjs-core';
import { insertZeros } from '../conv-geometry.js';
import { callStock, type KernelArgs, type KernelFactory } from './stock-kernel.js';

type Info = tf.backend_util.Conv2DInfo;

/**
 * dY routed to the first tap (in the given order) equal to the window max: a chain of selects
 * that hands dY to a hit and zeroes what is left for later taps. One tensor per tap.
 */
function tapGradients(taps: tf.Tensor[], max: tf.Tensor, dy: tf.Tensor): tf.Tensor[] {
  const zeros = tf.zerosLike(dy);
  let left = dy;
  return taps.map((tap, i) => {
    const hit = tf.equal(tap, max);
    const grad = tf.where(hit, left, zeros);
    if (i < taps.length - 1) left = tf.where(hit, zeros, left);
    return grad;
  });
}

/**
 * Pool size = stride: every input pixel is in at most one window. One transpose puts each
 * window's kh·kw taps last, `ArgMax` picks the first max, a one-hot times dY is the gradient,
 * and the inverse transpose puts it back. dY is not read from padding.
 */
function nonOverlapping(padded: tf.Tensor4D, dy: tf.Tensor4D, info: Info): tf.Tensor4D {
  const [n, hp, wp, c] = padded.shape;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const taps = kh * kw;
  const whole = hp === oh * kh && wp === ow * kw;
  // wasm's Slice copies its whole input first: avoid it when the windows cover everything.
  const covered = whole ? padded : tf.slice(padded, [0, 0, 0, 0], [n, oh * kh, ow * kw, c]);
  // [n·oh, a, ow, b, c] → [n·oh, ow, c, a, b]
  const windows = tf.transpose(tf.reshape(covered, [n * oh, kh, ow, kw, c]), [0, 2, 4, 1, 3]);
  const first = tf.argMax(tf.reshape(windows, [-1, taps]), 1);
  // wasm's OneHot ignores its dtype attribute: make int32 and cast.
  const grads = tf.mul(tf.cast(tf.oneHot(first, taps), 'float32'), tf.reshape(dy, [-1, 1]));
  const back = tf.transpose(tf.reshape(grads, [n * oh, ow, c, kh, kw]), [0, 3, 1, 4, 2]);
  const dx = tf.reshape<tf.Rank.R4>(back, [n, oh * kh, ow * kw, c]);
  if (whole) return dx;
  return tf.pad(dx, [
    [0, 0],
    [0, hp - oh * kh],
    [0, wp - ow * kw],
    [0, 0],
  ]);
}

/** Overlapping windows: each tap's gradient is spread back by its stride and summed. */
function overlapping(
  padded: tf.Tensor4D,
  y: tf.Tensor4D,
  dy: tf.Tensor4D,
  info: Info,
): tf.Tensor4D {
  const [n, hp, wp, c] = padded.shape;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const taps: tf.Tensor[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      taps.push(
        tf.stridedSlice(
          padded,
          [0, a, b, 0],
          [n, a + (oh - 1) * sh + 1, b + (ow - 1) * sw + 1, c],
          [1, sh, sw, 1],
        ),
      );
    }
  }
  const grads = tapGradients(taps, y, dy);
  let dx: tf.Tensor4D | undefined;
  for (const [i, grad] of grads.entries()) {
    const a = Math.floor(i / kw);
    const b = i % kw;
    const spread = insertZeros(grad as tf.Tensor4D, [sh, sw]);
    const keepH = Math.min(spread.shape[1], hp - a);
    const keepW = Math.min(spread.shape[2], wp - b);
    const placed = tf.pad(tf.slice(spread, [0, 0, 0, 0], [n, keepH, keepW, c]), [
      [0, 0],
      [a, hp - a - keepH],
      [b, wp - b - keepW],
      [0, 0],
    ]);
    dx = dx ? tf.add<tf.Tensor4D>(dx, placed) : placed;
  }
  return dx as tf.Tensor4D;
}

/**
 * `MaxPoolGrad`: each window sends dY to the first position (row-major) holding its max, like
 * the cpu kernel. Padding is −∞. Built from transposes, equality masks and selects (strided
 * scatters when windows overlap). Replaces stock wasm's kernel, which gives wrong gradients on
 * some shapes (e.g. 2×2/2 on [2, 8, 8, 3], or `same` padding on 7×7) and breaks ties differently.
 * Non-float32 inputs use the stock kernel.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGradByMasks(stock) });
 */
export const maxPoolGradByMasks: KernelFactory = (stock) => (args: KernelArgs) => {
  const dy = args.inputs['dy'] as tf.Tensor4D;
  const x = args.inputs['input'] as tf.Tensor4D;
  const y = args.inputs['output'] as tf.Tensor4D;
  if (x.dtype !== 'float32') return callStock(stock, args);
  const attrs = (args.attrs ?? {}) as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    x.shape,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    const padded =
      top + bottom + left + right > 0
        ? tf.pad(
            x,
            [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ],
            Number.NEGATIVE_INFINITY,
          )
        : x;
    const disjoint =
      info.filterHeight === info.strideHeight && info.filterWidth === info.strideWidth;
    const dxPadded = disjoint ? nonOverlapping(padded, dy, info) : overlapping(padded, y, dy, info);
    if (padded === x) return dxPadded;
    const [n, h, w, c] = x.shape;
    return tf.slice(dxPadded, [0, top, left, 0], [n, h, w, c]);
  });
};
