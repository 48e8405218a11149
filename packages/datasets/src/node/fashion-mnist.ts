import { FASHION_MNIST_CLASSES } from '../classes.js';
import type { ImageDataset } from '../types.js';
import { type LoadOptions, loadIdxSplit } from './load-idx-split.js';
import type { DataSource } from './locate.js';

export const FASHION_MNIST_SOURCE: DataSource = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST',
  aptPackage: 'dataset-fashion-mnist',
  download: {
    kind: 'files',
    baseUrls: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    sha256: {
      'train-images-idx3-ubyte.gz':
        '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
      'train-labels-idx1-ubyte.gz':
        'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
      't10k-images-idx3-ubyte.gz':
        '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
      't10k-labels-idx1-ubyte.gz':
        '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
    },
  },
};

/**
 * Loads Fashion-MNIST (Zalando Research, MIT): 28×28×1 grey images of 10 kinds of clothing,
 * 60,000 train and 10,000 test, as floats in [0, 1].
 *
 * Files are looked for in `dir`, then `$KDKIT_DATA_DIR/fashion-mnist`, then
 * `/usr/share/datasets/fashion-mnist` (`apt-get install dataset-fashion-mnist`), then
 * `~/.cache/kdkit/fashion-mnist`, where they are downloaded (SHA-256 checked) when missing.
 *
 * @example
 * const train = await loadFashionMnist({ split: 'train', limit: 10_000 });
 */
export function loadFashionMnist(options: LoadOptions): Promise<ImageDataset> {
  return loadIdxSplit('loadFashionMnist', FASHION_MNIST_SOURCE, FASHION_MNIST_CLASSES, options);
}
