import { lookupByName } from '@kdkit/engine';
import { CIFAR10_CLASSES, FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../classes.js';
import type { ImageDataset } from '../types.js';
import { loadCifar10 } from './cifar10.js';
import { loadFashionMnist } from './fashion-mnist.js';
import type { LoadOptions } from './load-idx-split.js';
import { loadFashionMnistMini } from './mini.js';
import { loadMnist } from './mnist.js';

/** What {@link listDatasets} tells about each dataset. */
export interface DatasetInfo {
  readonly name: string;
  readonly description: string;
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** Examples per split. */
  readonly sizes: { readonly train: number; readonly test: number };
  /** True when the data ships inside the package (no download). */
  readonly embedded: boolean;
}

interface Entry extends DatasetInfo {
  readonly load: (options: LoadOptions) => Promise<ImageDataset>;
}

const ENTRIES: readonly Entry[] = [
  {
    name: 'fashion-mnist',
    description: 'Fashion-MNIST (Zalando Research, MIT): 28×28 grey images of clothing.',
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: FASHION_MNIST_CLASSES,
    sizes: { train: 60_000, test: 10_000 },
    embedded: false,
    load: loadFashionMnist,
  },
  {
    name: 'fashion-mnist-mini',
    description: 'A stratified subset of Fashion-MNIST shipped in the package: works offline.',
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: FASHION_MNIST_CLASSES,
    sizes: { train: 3_000, test: 1_000 },
    embedded: true,
    load: loadFashionMnistMini,
  },
  {
    name: 'mnist',
    description: 'MNIST handwritten digits: 28×28 grey images.',
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: MNIST_CLASSES,
    sizes: { train: 60_000, test: 10_000 },
    embedded: false,
    load: loadMnist,
  },
  {
    name: 'cifar10',
    description: 'CIFAR-10: 32×32 colour images of 10 object classes (binary format).',
    shape: [32, 32, 3],
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    sizes: { train: 50_000, test: 10_000 },
    embedded: false,
    load: loadCifar10,
  },
];

const REGISTRY: ReadonlyMap<string, Entry> = new Map(ENTRIES.map((e) => [e.name, e]));

/**
 * The datasets {@link getDataset} knows, by name.
 *
 * @example
 * listDatasets().map((d) => d.name); // ['fashion-mnist', 'fashion-mnist-mini', 'mnist', 'cifar10']
 */
export function listDatasets(): DatasetInfo[] {
  return ENTRIES.map(({ load: _load, ...info }) => info);
}

/**
 * Loads a dataset split by name ('fashion-mnist', 'fashion-mnist-mini', 'mnist', 'cifar10').
 * An unknown name throws `UNKNOWN_NAME`, listing the valid names and suggesting the closest.
 *
 * @example
 * const test = await getDataset('fashion-mnist-mini', { split: 'test' });
 */
export async function getDataset(name: string, options: LoadOptions): Promise<ImageDataset> {
  return lookupByName('dataset', REGISTRY, name).load(options);
}
