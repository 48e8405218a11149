import { assertInteger, KdkitError, type SeededRandom } from '@kdkit/engine';
import type { AugmentOptions, ImageDataset, ResolvedAugment } from './types.js';

/** The random choices for one example: crop offsets in [0, 2·padding] and a flip. */
export interface SampleAugmentation {
  readonly offsetY: number;
  readonly offsetX: number;
  readonly flip: boolean;
}

/**
 * Checks augmentation options and returns them with defaults (`views` only when given), or
 * undefined when it is off (no crop and no flip).
 */
export function resolveAugment(
  where: string,
  ds: ImageDataset,
  augment: AugmentOptions | false | undefined,
): ResolvedAugment | undefined {
  const chosen = augment === undefined ? ds.defaultAugment : augment;
  if (chosen === undefined || chosen === false) return undefined;
  if (chosen === null || typeof chosen !== 'object') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'augment' must be false or { cropPadding?, horizontalFlip?, views? }, got ${String(chosen)}.`,
    );
  }
  const cropPadding = chosen.cropPadding ?? 0;
  assertInteger(where, 'augment.cropPadding', cropPadding, 0);
  const horizontalFlip = chosen.horizontalFlip ?? false;
  if (typeof horizontalFlip !== 'boolean') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: 'augment.horizontalFlip' must be true or false, got ${String(horizontalFlip)}.`,
    );
  }
  const views = chosen.views;
  if (views !== undefined && !(Number.isInteger(views) && views >= 1)) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: 'augment.views' must be a positive integer (the number of augmented views per image; leave it out for a fresh augmentation every epoch), got ${String(views)}.`,
    );
  }
  if (cropPadding === 0 && !horizontalFlip) return undefined;
  return { cropPadding, horizontalFlip, ...(views === undefined ? {} : { views }) };
}

/** The draw an epoch uses: the epoch itself, or with `views` its view `epoch mod views`. */
export function augmentationView(epoch: number, augment: ResolvedAugment): number {
  return augment.views === undefined ? epoch : epoch % augment.views;
}

/**
 * The stable description of an augmentation run: with a sample's index, it names the exact
 * transformed image, so a teacher cache can tell augmented samples apart. With `views` it names
 * the view (`epoch mod views`) instead of the epoch, so epochs that repeat a view share a key.
 *
 * @example
 * augmentationKey(1, 5, { cropPadding: 2, horizontalFlip: true }); // 'seed=1;epoch=5;crop=2;flip=1'
 * augmentationKey(1, 5, { cropPadding: 2, horizontalFlip: true, views: 4 }); // 'seed=1;view=1;crop=2;flip=1'
 */
export function augmentationKey(seed: number, epoch: number, augment: ResolvedAugment): string {
  const draw =
    augment.views === undefined ? `epoch=${epoch}` : `view=${augmentationView(epoch, augment)}`;
  return `seed=${seed};${draw};crop=${augment.cropPadding};flip=${augment.horizontalFlip ? 1 : 0}`;
}

/**
 * Draws one example's augmentation from a stream forked off `base` by (draw, index), where the
 * draw is the epoch, or its view with `views` ({@link augmentationView}): the result depends only
 * on (seed, epoch or view, index), never on batch size or order.
 */
export function sampleAugmentation(
  base: SeededRandom,
  epoch: number,
  index: number,
  augment: ResolvedAugment,
): SampleAugmentation {
  const rng = base.fork(`${augmentationView(epoch, augment)}:${index}`);
  const span = 2 * augment.cropPadding + 1;
  const offsetY = augment.cropPadding > 0 ? rng.nextInt(span) : augment.cropPadding;
  const offsetX = augment.cropPadding > 0 ? rng.nextInt(span) : augment.cropPadding;
  const flip = augment.horizontalFlip ? rng.nextFloat() < 0.5 : false;
  return { offsetY, offsetX, flip };
}

/**
 * Writes example `index` of `ds` into `out` at `outOffset`: zero-pad by `padding`, crop at
 * (offsetY, offsetX), optionally flip left-right, then apply the dataset's normalization.
 */
export function writeExample(
  ds: ImageDataset,
  index: number,
  out: Float32Array,
  outOffset: number,
  transform: SampleAugmentation | undefined,
  padding: number,
): void {
  const [h, w, c] = ds.shape;
  const perImage = h * w * c;
  const src = index * perImage;
  if (transform === undefined) {
    out.set(ds.images.subarray(src, src + perImage), outOffset);
  } else {
    const { offsetY, offsetX, flip } = transform;
    for (let y = 0; y < h; y++) {
      const sy = y + offsetY - padding;
      for (let x = 0; x < w; x++) {
        const sx = (flip ? w - 1 - x : x) + offsetX - padding;
        const dst = outOffset + (y * w + x) * c;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        const from = src + (sy * w + sx) * c;
        for (let k = 0; k < c; k++) out[dst + k] = inside ? (ds.images[from + k] as number) : 0;
      }
    }
  }
  const norm = ds.normalization;
  if (norm !== undefined) {
    for (let p = outOffset; p < outOffset + perImage; p += c) {
      for (let k = 0; k < c; k++) {
        out[p + k] = ((out[p + k] as number) - (norm.mean[k] as number)) / (norm.std[k] as number);
      }
    }
  }
}
