import type * as tf from '@tensorflow/tfjs-core';

/**
 * The dataset contract every kdkit trainer consumes.
 * Images are float32 NHWC in [0, 1], flattened: `images.length === size * h * w * c`.
 * Labels are int32 class ids in [0, numClasses); -1 marks an unlabelled example
 * (the few-label regime: it still gets the teacher's soft targets).
 */
export interface ImageDataset {
  readonly name: string;
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** [height, width, channels] of one image. */
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly size: number;
  /** Optional per-channel normalization, applied by `batches` when present. */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /**
   * The augmentation `batches` applies when its `augment` option is left undefined: none for
   * digits and Fashion-MNIST, crop (padding 4) + horizontal flip for CIFAR-10.
   */
  readonly defaultAugment?: AugmentOptions;
}

/** One batch. Its tensors belong to the consumer, who disposes them. */
export interface Batch {
  readonly xs: tf.Tensor4D;
  /** int32 class ids (−1 = unlabelled). */
  readonly labels: tf.Tensor1D;
  /** Dataset positions of the rows of `xs`: the key of a teacher-output cache. */
  readonly indices: Int32Array;
  /**
   * Set when the batch was augmented: the per-(seed, epoch) augmentation key (per (seed, view)
   * with `augment.views`), so a cache can tell augmented samples apart.
   */
  readonly augmentationKey?: string;
}

export interface AugmentOptions {
  /** Pad by this many pixels, then crop back at a random offset. 0 = off. */
  readonly cropPadding?: number;
  /** Flip horizontally with probability 0.5. */
  readonly horizontalFlip?: boolean;
  /**
   * Random erasing (Zhong et al. 2020): with this probability, one random rectangle of each
   * image (2–40% of its area, aspect ratio 0.3–3.3) is set to 0, black (the background of
   * MNIST-style images), after the crop and flip and before the dataset's normalization.
   * A number in [0, 1]. Default 0 (off).
   */
  readonly erase?: number;
  /**
   * How many augmented views each image has: a positive integer V. Epoch e draws view e mod V, so
   * an image's pixels in epoch e and e + V are identical (the batch order still changes every
   * epoch), and a teacher's logits on each view can be computed once and cached (FKD, Shen & Xing
   * 2022). View v is the augmentation an unlimited run draws in epoch v.
   * Default: unlimited, a fresh augmentation every epoch.
   *
   * @example
   * batches(train, { batchSize: 64, seed: 1, epoch, augment: { cropPadding: 2, horizontalFlip: true, views: 4 } });
   */
  readonly views?: number;
}

/**
 * {@link AugmentOptions} as `resolveAugment` returns them: crop and flip set, `erase` only when
 * above 0, `views` only when finite.
 */
export interface ResolvedAugment {
  readonly cropPadding: number;
  readonly horizontalFlip: boolean;
  readonly erase?: number;
  readonly views?: number;
}

export interface BatchOptions {
  readonly batchSize: number;
  /** Default true. */
  readonly shuffle?: boolean;
  /** Seed of the order and augmentation. Default 0. */
  readonly seed?: number;
  /** Epoch number: with the seed, it fixes this epoch's order and augmentation. Default 0. */
  readonly epoch?: number;
  /** Drop a last batch smaller than batchSize. Default false. */
  readonly dropRemainder?: boolean;
  /** `false` turns augmentation off. Default: the dataset's `defaultAugment` (off unless set). */
  readonly augment?: AugmentOptions | false;
}
