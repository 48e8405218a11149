export { loadCifar10 } from './cifar10.js';
export type { FetchLike } from './download.js';
export { loadFashionMnist } from './fashion-mnist.js';
export type { LoadOptions } from './load-idx-split.js';
export type { LocateOptions } from './locate.js';
export { loadFashionMnistMini } from './mini.js';
export { loadMnist } from './mnist.js';
export { type DatasetInfo, getDataset, listDatasets } from './registry.js';
