import { KdkitError } from '@kdkit/engine';
import { FASHION_MNIST_CLASSES } from './classes.js';
import type { FetchLike } from './fetch-like.js';
import {
  checkLoadOptions,
  idxFileNames,
  idxPairToDataset,
  type SplitOptions,
} from './idx-dataset.js';
import { MINI_MANIFEST } from './mini-manifest.js';
import { sha256Hex } from './sha256.js';
import type { ImageDataset } from './types.js';

/** The mini set's four files (in the package's `assets/` folder). */
export type MiniAssetName =
  | 'train-images-idx3-ubyte.gz'
  | 'train-labels-idx1-ubyte.gz'
  | 't10k-images-idx3-ubyte.gz'
  | 't10k-labels-idx1-ubyte.gz';

export interface FetchFashionMnistMiniOptions extends SplitOptions {
  /**
   * Where the files of `@kdkit/datasets/assets/` are served: a directory URL (each file under its
   * own name; relative URLs resolve against the page), or one URL per file name (a bundler's
   * hashed asset URLs, e.g. Vite's `?url` imports).
   */
  readonly from: string | URL | Readonly<Partial<Record<MiniAssetName, string>>>;
  /** Default: `globalThis.fetch`. */
  readonly fetch?: FetchLike;
}

const WHERE = 'fetchFashionMnistMini';

function assetUrl(from: FetchFashionMnistMiniOptions['from'], name: MiniAssetName): string {
  if (from instanceof URL)
    return new URL(name, from.href.endsWith('/') ? from : `${from.href}/`).href;
  if (typeof from === 'string') return `${from}${from.endsWith('/') ? '' : '/'}${name}`;
  const url = from?.[name];
  if (typeof url !== 'string') {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${WHERE}: 'from' gives no URL for '${name}' (expected a directory URL or one URL per file: ${Object.keys(MINI_MANIFEST.sha256).join(', ')}).`,
    );
  }
  return url;
}

async function fetchVerifiedAsset(
  fetchFn: FetchLike,
  url: string,
  name: MiniAssetName,
): Promise<Uint8Array> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchFn(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new KdkitError('DATA_UNAVAILABLE', `${WHERE}: could not fetch ${url} (${reason}).`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new KdkitError('DATA_UNAVAILABLE', `${WHERE}: ${url} answered HTTP ${response.status}.`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const expected = MINI_MANIFEST.sha256[name];
  const actual = await sha256Hex(bytes);
  // A server sending the .gz with Content-Encoding: gzip delivers the gunzipped IDX bytes.
  if (actual !== expected && actual !== MINI_MANIFEST.idxSha256[name]) {
    throw new KdkitError(
      'CORRUPT_FILE',
      `${WHERE}: ${url} has SHA-256 ${actual}, expected ${expected} (the mini set's ${name}). Serve the files of this @kdkit/datasets version's assets/ folder.`,
    );
  }
  return bytes;
}

/**
 * Fetches the Fashion-MNIST mini set (the one `loadFashionMnistMini` of `@kdkit/datasets/node`
 * reads from disk: 300 train and 100 test real images per class, 28×28×1 in [0, 1]) from where
 * its asset files are served, checks each file's SHA-256 (WebCrypto) and parses it. Runs in a
 * browser. Copy `node_modules/@kdkit/datasets/assets/` next to your page, or import the files as
 * bundler assets.
 *
 * @example
 * const train = await fetchFashionMnistMini({ split: 'train', from: './mini/' }); // 3,000 images
 */
export async function fetchFashionMnistMini(
  options: FetchFashionMnistMiniOptions,
): Promise<ImageDataset> {
  checkLoadOptions(WHERE, options);
  const fetchFn = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchFn !== 'function') {
    throw new KdkitError('INVALID_ARGUMENT', `${WHERE}: no global fetch here; pass options.fetch.`);
  }
  const names = idxFileNames(options.split) as { images: MiniAssetName; labels: MiniAssetName };
  const imageUrl = assetUrl(options.from, names.images);
  const labelUrl = assetUrl(options.from, names.labels);
  const [images, labels] = await Promise.all([
    fetchVerifiedAsset(fetchFn, imageUrl, names.images),
    fetchVerifiedAsset(fetchFn, labelUrl, names.labels),
  ]);
  return idxPairToDataset(images, imageUrl, labels, labelUrl, {
    name: `fashion-mnist-mini/${options.split}`,
    classNames: FASHION_MNIST_CLASSES,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
}
