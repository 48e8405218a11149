import { KdkitError } from '@kdkit/engine';
import type { AugmentOptions, ResolvedAugment } from './types.js';

/** The forms {@link parseAugmentSpec} accepts, for error and help texts. */
export const AUGMENT_SPEC_FORMS =
  "'cropN' (zero-pad by N ≥ 1 pixels, crop back at a random offset), 'flip' (left-right with probability ½), 'eraseP' (random erasing: with probability P in (0, 1], one random rectangle set to 0), 'viewsN' (with a crop, flip or erase: N ≥ 1 fixed augmented views per image, epoch e showing view e mod N, so a teacher's logits on them can be cached), comma-separated (e.g. 'crop2,flip', 'crop2,erase0.5' or 'crop2,flip,views4'), or 'none'";

/**
 * Parses a command-line augmentation spec into datasets' `AugmentOptions` with crop and flip set:
 * `cropN` pads by N pixels and crops back at a random offset, `flip` flips left-right with
 * probability ½, `eraseP` erases one random rectangle with probability P (`erase`), `viewsN`
 * (with a crop, flip or erase) fixes N augmented views per image (`views`;
 * absent without it: a fresh augmentation every epoch), comma-separated in any order; `none`
 * (alone) is no augmentation. The inverse of {@link formatAugmentSpec}. Throws INVALID_ARGUMENT
 * naming `where`, the bad part and the valid forms.
 *
 * @example
 * parseAugmentSpec('crop2,flip'); // { cropPadding: 2, horizontalFlip: true }
 * parseAugmentSpec('crop2,flip,views4'); // { cropPadding: 2, horizontalFlip: true, views: 4 }
 * parseAugmentSpec('crop2,erase0.5'); // { cropPadding: 2, horizontalFlip: false, erase: 0.5 }
 * parseAugmentSpec('none'); // { cropPadding: 0, horizontalFlip: false }
 */
export function parseAugmentSpec(spec: string, where = 'parseAugmentSpec'): ResolvedAugment {
  const fail = (problem: string): never => {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ${problem}; expected ${AUGMENT_SPEC_FORMS}.`,
    );
  };
  const parts = spec.split(',').map((part) => part.trim());
  if (parts.length === 1 && parts[0] === 'none') return { cropPadding: 0, horizontalFlip: false };
  let cropPadding: number | undefined;
  let horizontalFlip = false;
  let views: number | undefined;
  let erase: number | undefined;
  for (const part of parts) {
    const crop = /^crop(\d+)$/.exec(part);
    const viewCount = /^views(\d+)$/.exec(part);
    const eraseProbability = /^erase(\d*\.?\d+)$/.exec(part);
    if (crop) {
      if (cropPadding !== undefined) fail(`'crop' given twice in '${spec}'`);
      cropPadding = Number(crop[1]);
      if (cropPadding < 1) fail(`'${part}' in '${spec}' crops by 0 pixels`);
    } else if (part === 'flip') {
      if (horizontalFlip) fail(`'flip' given twice in '${spec}'`);
      horizontalFlip = true;
    } else if (eraseProbability) {
      if (erase !== undefined) fail(`'erase' given twice in '${spec}'`);
      erase = Number(eraseProbability[1]);
      if (!(erase > 0 && erase <= 1)) fail(`'${part}' in '${spec}' is not a probability in (0, 1]`);
    } else if (viewCount) {
      if (views !== undefined) fail(`'views' given twice in '${spec}'`);
      views = Number(viewCount[1]);
      if (views < 1) fail(`'${part}' in '${spec}' has 0 views`);
    } else {
      fail(part === '' ? `empty part in '${spec}'` : `unknown part '${part}' in '${spec}'`);
    }
  }
  if (views !== undefined && cropPadding === undefined && !horizontalFlip && erase === undefined) {
    fail(`'views${views}' in '${spec}' has nothing to view: add a 'cropN', 'flip' or 'eraseP'`);
  }
  return {
    cropPadding: cropPadding ?? 0,
    horizontalFlip,
    ...(erase === undefined ? {} : { erase }),
    ...(views === undefined ? {} : { views }),
  };
}

/**
 * The spec of an augmentation, as {@link parseAugmentSpec} reads it: `'crop2,flip'`, `'flip'`,
 * `'crop2,erase0.5'`, `'crop2,flip,views4'`, `'none'` when it changes nothing.
 *
 * @example
 * formatAugmentSpec({ cropPadding: 2, horizontalFlip: true }); // 'crop2,flip'
 */
export function formatAugmentSpec(augment: AugmentOptions): string {
  const parts = [
    ...((augment.cropPadding ?? 0) > 0 ? [`crop${augment.cropPadding}`] : []),
    ...(augment.horizontalFlip ? ['flip'] : []),
    ...((augment.erase ?? 0) > 0 ? [`erase${augment.erase}`] : []),
  ];
  if (parts.length === 0) return 'none';
  if (augment.views !== undefined) parts.push(`views${augment.views}`);
  return parts.join(',');
}

/** True when the augmentation changes images (crops, flips or erases). */
export const augmentsImages = (augment: AugmentOptions | undefined): boolean =>
  augment !== undefined &&
  ((augment.cropPadding ?? 0) > 0 || augment.horizontalFlip === true || (augment.erase ?? 0) > 0);
