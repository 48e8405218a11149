import { join } from 'node:path';
import { parseCifarBatch } from '../cifar.js';
import { CIFAR10_CLASSES, CIFAR10_NORMALIZATION } from '../classes.js';
import { fromArrays } from '../from-arrays.js';
import { checkLoadOptions } from '../idx-dataset.js';
import type { ImageDataset } from '../types.js';
import type { LoadOptions } from './load-idx-split.js';
import { type DataSource, locateDataFiles } from './locate.js';
import { readDataFile } from './read-data-file.js';

const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILES = ['test_batch.bin'];
const RECORDS_PER_FILE = 10_000;

export const CIFAR10_SOURCE: DataSource = {
  name: 'cifar10',
  title: 'CIFAR-10',
  download: {
    kind: 'tar.gz',
    urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
    sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
    members: Object.fromEntries(
      [...TRAIN_FILES, ...TEST_FILES].map((f) => [f, `cifar-10-batches-bin/${f}`]),
    ),
  },
};

/**
 * Loads CIFAR-10 from its binary format (`data_batch_1..5.bin`, `test_batch.bin`):
 * 32×32×3 colour images in 10 classes, 50,000 train and 10,000 test, as floats in [0, 1].
 * The dataset carries the usual per-channel normalization (applied by `batches`) and
 * augmentation (crop with padding 4, horizontal flip) as its defaults.
 *
 * Files are found like {@link loadFashionMnist}'s, under `<root>/cifar10/`; a download fetches
 * `cifar-10-binary.tar.gz`, checks its SHA-256 and extracts the batches into the cache.
 * With `limit`, only the batch files needed are read.
 *
 * @example
 * const train = await loadCifar10({ split: 'train', dir: './cifar-10-batches-bin' });
 */
export async function loadCifar10(options: LoadOptions): Promise<ImageDataset> {
  const where = 'loadCifar10';
  checkLoadOptions(where, options);
  const all = options.split === 'train' ? TRAIN_FILES : TEST_FILES;
  const needed =
    options.limit === undefined ? all : all.slice(0, Math.ceil(options.limit / RECORDS_PER_FILE));
  const dir = await locateDataFiles(where, CIFAR10_SOURCE, needed, options);
  const batches = await Promise.all(
    needed.map(async (file) => {
      const path = join(dir, file);
      return parseCifarBatch(await readDataFile(path), path, RECORDS_PER_FILE);
    }),
  );
  const total = batches.reduce((n, b) => n + b.count, 0);
  const size = Math.min(total, options.limit ?? total);
  const pixels = new Uint8Array(size * 3072);
  const labels = new Uint8Array(size);
  let offset = 0;
  for (const batch of batches) {
    const take = Math.min(batch.count, size - offset);
    if (take <= 0) break;
    pixels.set(batch.pixels.subarray(0, take * 3072), offset * 3072);
    labels.set(batch.labels.subarray(0, take), offset);
    offset += take;
  }
  return fromArrays(pixels, labels, {
    shape: [32, 32, 3],
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    name: `cifar10/${options.split}`,
    normalization: CIFAR10_NORMALIZATION,
    defaultAugment: { cropPadding: 4, horizontalFlip: true },
  });
}
