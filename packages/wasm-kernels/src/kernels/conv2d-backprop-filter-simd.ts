import type * as tf from '@tensorflow/tfjs-core';
import { type ConvKernelAttrs, convGeometry, convInfo } from '../conv-geometry.js';
import { simdContext } from '../simd/simd-module.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import type { KernelArgs } from './stock-kernel.js';

interface Conv2DBackpropFilterKernelAttrs extends ConvKernelAttrs {
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly filterShape: [number, number, number, number];
}

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

/**
 * `Conv2DBackpropFilter` in kdkit's SIMD kernel (csrc/kernels.c): dW[i,j,c,o] =
 * Σ_{n,y,x} X[n, y·s+i·d−pt, x·s+j·d−pl, c] · dY[n,y,x,o] as a GEMM over tiles of output
 * pixels. Each tile's im2col is packed into a scratch buffer (the full im2col never exists) and
 * a 4×8 register-blocked SIMD micro-kernel accumulates dW. With kernel threads (Node, threaded
 * tfjs-wasm) the pixels are split in one range per thread, whose partial dW are then summed. Reads and writes tfjs-wasm's heap
 * directly (no copies). NHWC float32; NCHW, other dtypes, or a backend whose memory it cannot
 * reach use the XNNPACK composition {@link conv2dBackpropFilter}.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2dBackpropFilterSimd });
 */
export function conv2dBackpropFilterSimd(args: KernelArgs): tf.TensorInfo {
  const attrs = args.attrs as unknown as Conv2DBackpropFilterKernelAttrs;
  const x = args.inputs['x'] as tf.TensorInfo;
  const dy = args.inputs['dy'] as tf.TensorInfo;
  const simd = attrs.dataFormat === 'NCHW' ? undefined : simdContext(args.backend);
  if (!simd || x.dtype !== 'float32' || dy.dtype !== 'float32') return conv2dBackpropFilter(args);
  const info = convInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs,
    false,
  );
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const kpad = roundUp(k, 4);
  const opad = roundUp(info.outChannels, 8);
  // Packed im2col and dY tiles of about 256 KB together.
  const tile = Math.max(16, Math.min(1024, Math.floor(65536 / (kpad + opad))));
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const parts = partsFor(simd.pool?.threads ?? 1, pixels, tile, pixels * kpad * opad);
  const perPart = tile * (kpad + opad) + kpad * opad;
  const out = simd.output(attrs.filterShape.slice());
  simd.withScratch(convGeometry(info), parts * perPart, (geo, scratch) => {
    const xAt = simd.address(x);
    const dyAt = simd.address(dy);
    const ranges = Array.from({ length: parts }, (_, part) => [
      geo,
      xAt,
      dyAt,
      scratch + part * perPart * 4,
      tile,
      Math.floor((pixels * part) / parts),
      Math.floor((pixels * (part + 1)) / parts),
    ]);
    if (parts > 1 && simd.pool) simd.pool.run('kd_conv2d_backprop_filter_range', ranges);
    else simd.kernels.kd_conv2d_backprop_filter_range(geo, xAt, dyAt, scratch, tile, 0, pixels);
    simd.kernels.kd_conv2d_backprop_filter_finish(
      geo,
      scratch,
      tile,
      perPart,
      parts,
      simd.address(out),
    );
  });
  return out;
}

/** Below this many multiply-adds a second thread costs more (its wake-up) than it saves. */
const PARALLEL_MIN_MACS = 1 << 20;

/** Parts to split the output pixels into: one per thread, each at least a tile. */
function partsFor(threads: number, pixels: number, tile: number, macs: number): number {
  if (threads < 2 || macs < PARALLEL_MIN_MACS) return 1;
  return Math.max(1, Math.min(threads, Math.floor(pixels / tile)));
}
