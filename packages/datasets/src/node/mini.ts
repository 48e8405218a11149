import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KdkitError } from '@kdkit/engine';
import { FASHION_MNIST_CLASSES } from '../classes.js';
import { checkLoadOptions, idxFileNames, idxPairToDataset, type Split } from '../idx-dataset.js';
import { MINI_MANIFEST } from '../mini-manifest.js';
import type { ImageDataset } from '../types.js';
import { sha256Hex } from './download.js';

/** The directory of the embedded assets; the same relative path from src/node/ and dist/node/. */
export const MINI_ASSETS_URL = new URL('../../assets/', import.meta.url);

async function readVerifiedAsset(name: string): Promise<{ bytes: Uint8Array; path: string }> {
  const path = fileURLToPath(new URL(name, MINI_ASSETS_URL));
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `loadFashionMnistMini: embedded asset ${path} is missing (a broken @kdkit/datasets install?).`,
      { cause: error },
    );
  }
  const expected = MINI_MANIFEST.sha256[name];
  const actual = sha256Hex(bytes);
  if (actual !== expected) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `loadFashionMnistMini: embedded asset ${path} has SHA-256 ${actual}, expected ${expected}. Reinstall @kdkit/datasets.`,
    );
  }
  return { bytes, path };
}

/**
 * Loads the Fashion-MNIST mini set shipped inside this package: a seeded, stratified subset of
 * the real Fashion-MNIST (Zalando Research, MIT), 300 train and 100 test images per class,
 * 28×28×1 in [0, 1]. It needs no download, so demos and end-to-end tests run offline on real
 * images. Each asset's SHA-256 is checked at load. `scripts/make-mini.ts` rebuilds it.
 *
 * @example
 * const train = await loadFashionMnistMini({ split: 'train' }); // 3,000 images
 */
export async function loadFashionMnistMini(options: {
  readonly split: Split;
  readonly limit?: number;
}): Promise<ImageDataset> {
  checkLoadOptions('loadFashionMnistMini', options);
  const names = idxFileNames(options.split);
  const [images, labels] = await Promise.all([
    readVerifiedAsset(names.images),
    readVerifiedAsset(names.labels),
  ]);
  return idxPairToDataset(images.bytes, images.path, labels.bytes, labels.path, {
    name: `fashion-mnist-mini/${options.split}`,
    classNames: FASHION_MNIST_CLASSES,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
}
