import { assertInteger, KdkitError, type SeededRandom } from '@kdkit/engine';
import type { AugmentOptions, ImageDataset, ResolvedAugment } from './types.js';

/** A rectangle of an image, in pixels of the output (after crop and flip). */
export interface ErasedRect {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** The random choices for one example: crop offsets in [0, 2·padding], a flip, an erased rectangle. */
export interface SampleAugmentation {
  readonly offsetY: number;
  readonly offsetX: number;
  readonly flip: boolean;
  readonly erase?: ErasedRect;
}

/** Random erasing's ranges (Zhong et al. 2020, and torchvision's defaults). */
const ERASE_AREA = [0.02, 0.4] as const;
const ERASE_ASPECT = [0.3, 1 / 0.3] as const;
const ERASE_ATTEMPTS = 10;

/**
 * Checks augmentation options and returns them with defaults (`erase` only when above 0, `views`
 * only when given), or undefined when it is off (no crop, no flip, no erasing).
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
      `${where}: 'augment' must be false or { cropPadding?, horizontalFlip?, erase?, views? }, got ${String(chosen)}.`,
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
  const erase = chosen.erase ?? 0;
  if (typeof erase !== 'number' || !(erase >= 0 && erase <= 1)) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: 'augment.erase' must be a probability in [0, 1] (of erasing one random rectangle of each image; 0 is off), got ${String(erase)}.`,
    );
  }
  const views = chosen.views;
  if (views !== undefined && !(Number.isInteger(views) && views >= 1)) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: 'augment.views' must be a positive integer (the number of augmented views per image; leave it out for a fresh augmentation every epoch), got ${String(views)}.`,
    );
  }
  if (cropPadding === 0 && !horizontalFlip && erase === 0) return undefined;
  return {
    cropPadding,
    horizontalFlip,
    ...(erase === 0 ? {} : { erase }),
    ...(views === undefined ? {} : { views }),
  };
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
  const erase = augment.erase === undefined ? '' : `;erase=${augment.erase}`;
  return `seed=${seed};${draw};crop=${augment.cropPadding};flip=${augment.horizontalFlip ? 1 : 0}${erase}`;
}

/**
 * Draws one example's augmentation (for images of `imageSize`) from a stream forked off `base` by
 * (draw, index), where the draw is the epoch, or its view with `views` ({@link augmentationView}):
 * the result depends only on (seed, epoch or view, index), never on batch size or order.
 */
export function sampleAugmentation(
  base: SeededRandom,
  epoch: number,
  index: number,
  augment: ResolvedAugment,
  imageSize: readonly [height: number, width: number],
): SampleAugmentation {
  const rng = base.fork(`${augmentationView(epoch, augment)}:${index}`);
  const span = 2 * augment.cropPadding + 1;
  const offsetY = augment.cropPadding > 0 ? rng.nextInt(span) : augment.cropPadding;
  const offsetX = augment.cropPadding > 0 ? rng.nextInt(span) : augment.cropPadding;
  const flip = augment.horizontalFlip ? rng.nextFloat() < 0.5 : false;
  // Erasing draws after the crop and flip, so runs without it keep their draws.
  const erase =
    augment.erase !== undefined && rng.nextFloat() < augment.erase
      ? erasedRect(rng, imageSize)
      : undefined;
  return { offsetY, offsetX, flip, ...(erase === undefined ? {} : { erase }) };
}

/** A rectangle of random area and aspect ratio; none if 10 draws do not fit the image. */
function erasedRect(
  rng: SeededRandom,
  [height, width]: readonly [number, number],
): ErasedRect | undefined {
  const [minArea, maxArea] = ERASE_AREA;
  const [minAspect, maxAspect] = ERASE_ASPECT;
  for (let attempt = 0; attempt < ERASE_ATTEMPTS; attempt++) {
    const area = height * width * (minArea + (maxArea - minArea) * rng.nextFloat());
    const aspect = Math.exp(
      Math.log(minAspect) + (Math.log(maxAspect) - Math.log(minAspect)) * rng.nextFloat(),
    );
    const h = Math.round(Math.sqrt(area * aspect));
    const w = Math.round(Math.sqrt(area / aspect));
    if (h >= 1 && w >= 1 && h <= height && w <= width) {
      return {
        top: rng.nextInt(height - h + 1),
        left: rng.nextInt(width - w + 1),
        height: h,
        width: w,
      };
    }
  }
  return undefined;
}

/**
 * Writes example `index` of `ds` into `out` at `outOffset`: zero-pad by `padding`, crop at
 * (offsetY, offsetX), optionally flip left-right, set the erased rectangle to 0, then apply the
 * dataset's normalization.
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
    const erase = transform.erase;
    if (erase !== undefined) {
      for (let y = erase.top; y < erase.top + erase.height; y++) {
        const row = outOffset + (y * w + erase.left) * c;
        out.fill(0, row, row + erase.width * c);
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
