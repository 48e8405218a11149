import { randomArray } from '@kdkit/test-utils';
import type { ConvCase } from './cross-backend.js';

const conv = (
  batch: number,
  [height, width]: [number, number],
  [inChannels, outChannels]: [number, number],
  [filterHeight, filterWidth]: [number, number],
  stride: number,
  pad: ConvCase['pad'],
  dilation = 1,
): ConvCase => ({
  batch,
  height,
  width,
  inChannels,
  outChannels,
  filterHeight,
  filterWidth,
  strides: [stride, stride],
  dilations: [dilation, dilation],
  pad,
});

/**
 * Geometries for the SIMD conv kernels (csrc/kernels.c): channels that are and are not
 * multiples of 4 (the packing fast path) and of 8 (the GEMM's column panels), 1×1 and 5×5
 * filters, stride 2, same/valid/explicit padding, dilation, batch 1, non-square images, and
 * enough output pixels to span several tiles with a partial last one; then `random` seeded
 * geometries with up to 20 channels.
 */
export function simdConvCases(seed: number, random: number): ConvCase[] {
  const fixed = [
    conv(1, [12, 10], [8, 12], [3, 3], 2, 'same'),
    conv(3, [9, 7], [16, 8], [3, 3], 1, 'valid'),
    conv(2, [6, 6], [5, 3], [1, 1], 1, 'valid'),
    conv(2, [8, 8], [4, 16], [1, 1], 2, 'same'),
    conv(1, [11, 9], [8, 9], [3, 3], 1, 'same', 2),
    conv(2, [9, 10], [8, 10], [5, 5], 2, [
      [0, 0],
      [2, 1],
      [1, 2],
      [0, 0],
    ]),
    conv(1, [7, 13], [3, 17], [2, 3], 1, 'same'),
    // 2·16·16 = 512 output pixels: three tiles of about 210, the last one partial.
    conv(2, [16, 16], [32, 24], [3, 3], 1, 'same'),
    conv(2, [14, 14], [12, 20], [3, 3], 2, 'valid'),
  ];
  const draws = randomArray(random * 10, seed, 0, 1);
  let k = 0;
  const int = (lo: number, hi: number): number =>
    lo + Math.floor((draws[k++] as number) * (hi - lo + 1));
  for (let i = 0; i < random; i++) {
    const stride = int(1, 2);
    fixed.push(
      conv(
        int(1, 3),
        [int(4, 13), int(4, 13)],
        [int(1, 20), int(1, 20)],
        [int(1, 3), int(1, 3)],
        stride,
        int(0, 1) === 1 ? 'same' : 'valid',
        stride === 1 ? int(1, 2) : 1,
      ),
    );
  }
  return fixed;
}
