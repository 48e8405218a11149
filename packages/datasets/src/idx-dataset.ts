import { assertInteger, assertOneOf, KdkitError } from '@kdkit/engine';
import { fromArrays } from './from-arrays.js';
import { parseIdx } from './idx.js';
import type { ImageDataset } from './types.js';

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

/** Which split to load, and how many examples of it. */
export interface SplitOptions {
  readonly split: Split;
  /** Keep only the first `limit` examples. Default: all. */
  readonly limit?: number;
}

/** Checks `split` and `limit`. */
export function checkLoadOptions(where: string, options: SplitOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: expected options { split: 'train' | 'test' }.`,
    );
  }
  assertOneOf(where, 'split', options.split, SPLITS);
  if (options.limit !== undefined) assertInteger(where, 'limit', options.limit, 1);
}

/** The file names of an MNIST-style split. */
export function idxFileNames(split: Split): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  return {
    images: `${prefix}-images-idx3-ubyte.gz`,
    labels: `${prefix}-labels-idx1-ubyte.gz`,
  };
}

/**
 * Builds a dataset from an IDX image file `[n, h, w]` and an IDX label file `[n]`, checking that
 * the counts agree and every label is < `classNames.length`.
 */
export function idxPairToDataset(
  imageBytes: Uint8Array,
  imageFile: string,
  labelBytes: Uint8Array,
  labelFile: string,
  meta: { name: string; classNames: readonly string[]; limit?: number },
): ImageDataset {
  const images = parseIdx(imageBytes, imageFile, 3);
  const labels = parseIdx(labelBytes, labelFile, 1);
  const [n, h, w] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `readIdx: '${labelFile}' holds ${labels.dims[0]} labels but '${imageFile}' holds ${n} images.`,
    );
  }
  const numClasses = meta.classNames.length;
  const bad = labels.data.findIndex((l) => l >= numClasses);
  if (bad >= 0) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `readIdx: '${labelFile}' has label ${labels.data[bad]} at ${bad}; expected < ${numClasses}.`,
    );
  }
  const size = Math.min(n, meta.limit ?? n);
  return fromArrays(images.data.subarray(0, size * h * w), labels.data.subarray(0, size), {
    shape: [h, w, 1],
    numClasses,
    classNames: meta.classNames,
    name: meta.name,
  });
}
