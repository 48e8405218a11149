import { assertInteger, KdkitError } from '@kdkit/engine';
import type { AugmentOptions, ImageDataset } from './types.js';

export interface FromArraysOptions {
  /** [height, width, channels] of one image. */
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  /** One name per class. Default '0', '1', …. */
  readonly classNames?: readonly string[];
  /** Default 'custom'. */
  readonly name?: string;
  /** Per-channel stats that `batches` applies: x ↦ (x − mean) / std. */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** What `batches` applies when its `augment` option is undefined. Default: none. */
  readonly defaultAugment?: AugmentOptions;
}

/**
 * Wraps your own images and labels as an {@link ImageDataset}, so they work with every trainer.
 *
 * `images` are NHWC, flattened: a `Float32Array` in [0, 1] (used as is, not copied) or a
 * `Uint8Array` (divided by 255). `labels` are integers in [0, numClasses), or −1 for an
 * unlabelled example. Everything is validated: a wrong length, a value outside [0, 1], a
 * non-integer or out-of-range label throws a `KdkitError` naming the argument.
 *
 * @example
 * const ds = fromArrays(new Float32Array(2 * 4 * 4), [0, 1], { shape: [4, 4, 1], numClasses: 2 });
 */
export function fromArrays(
  images: Float32Array | Uint8Array,
  labels: Int32Array | Uint8Array | readonly number[],
  options: FromArraysOptions,
): ImageDataset {
  const where = 'fromArrays';
  const { shape, numClasses } = options;
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'shape' must be [height, width, channels], got ${JSON.stringify(shape)}.`,
    );
  }
  shape.forEach((d, i) => {
    assertInteger(where, `shape[${i}]`, d, 1);
  });
  assertInteger(where, 'numClasses', numClasses, 1);
  const [h, w, c] = shape;
  const perImage = h * w * c;
  const size = labels.length;
  if (images.length !== size * perImage) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: 'images' has ${images.length} values, but ${size} labels × [${h}, ${w}, ${c}] needs ${size * perImage}.`,
    );
  }
  const classNames = options.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  if (classNames.length !== numClasses) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'classNames' has ${classNames.length} names, expected numClasses = ${numClasses}.`,
    );
  }
  const labelArray = Int32Array.from(labels);
  for (let i = 0; i < size; i++) {
    const label = labels[i] as number;
    if (!(Number.isInteger(label) && label >= -1 && label < numClasses)) {
      throw new KdkitError(
        'OUT_OF_RANGE',
        `${where}: 'labels[${i}]' is ${label}; labels must be integers in [0, ${numClasses}) or −1 (unlabelled).`,
      );
    }
  }
  let pixels: Float32Array;
  if (images instanceof Uint8Array) {
    const scale = 1 / 255;
    pixels = new Float32Array(images.length);
    for (let i = 0; i < images.length; i++) pixels[i] = (images[i] as number) * scale;
  } else {
    pixels = images;
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i] as number;
      if (!(v >= 0 && v <= 1)) {
        throw new KdkitError(
          'OUT_OF_RANGE',
          `${where}: 'images[${i}]' is ${v}; pixel values must be in [0, 1] (divide bytes by 255).`,
        );
      }
    }
  }
  const normalization = options.normalization;
  if (normalization !== undefined) {
    const ok =
      normalization.mean.length === c &&
      normalization.std.length === c &&
      normalization.mean.every(Number.isFinite) &&
      normalization.std.every((s) => Number.isFinite(s) && s > 0);
    if (!ok) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: 'normalization' needs ${c} finite means and ${c} positive stds, got ${JSON.stringify(normalization)}.`,
      );
    }
  }
  return {
    name: options.name ?? 'custom',
    images: pixels,
    labels: labelArray,
    shape: [h, w, c],
    numClasses,
    classNames: [...classNames],
    size,
    ...(normalization === undefined ? {} : { normalization }),
    ...(options.defaultAugment === undefined ? {} : { defaultAugment: options.defaultAugment }),
  };
}
