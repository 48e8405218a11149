import { MNIST_CLASSES } from '../classes.js';
import type { ImageDataset } from '../types.js';
import { type LoadOptions, loadIdxSplit } from './load-idx-split.js';
import type { DataSource } from './locate.js';

export const MNIST_SOURCE: DataSource = {
  name: 'mnist',
  title: 'MNIST',
  download: {
    kind: 'files',
    // yann.lecun.com no longer serves the files reliably; these mirrors hold the same bytes.
    baseUrls: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
    ],
    sha256: {
      'train-images-idx3-ubyte.gz':
        '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      'train-labels-idx1-ubyte.gz':
        '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      't10k-images-idx3-ubyte.gz':
        '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      't10k-labels-idx1-ubyte.gz':
        'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    },
  },
};

/**
 * Loads MNIST handwritten digits: 28×28×1 grey images, 60,000 train and 10,000 test, as floats
 * in [0, 1]. Looked for in `dir`, `$KDKIT_DATA_DIR/mnist`, `/usr/share/datasets/mnist`, then
 * `~/.cache/kdkit/mnist` (downloaded there, SHA-256 checked, when missing).
 *
 * @example
 * const test = await loadMnist({ split: 'test', dir: './data/mnist' });
 */
export function loadMnist(options: LoadOptions): Promise<ImageDataset> {
  return loadIdxSplit('loadMnist', MNIST_SOURCE, MNIST_CLASSES, options);
}
