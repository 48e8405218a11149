export { augmentationKey, resolveAugment } from './augment.js';
export {
  AUGMENT_SPEC_FORMS,
  augmentsImages,
  formatAugmentSpec,
  parseAugmentSpec,
} from './augment-spec.js';
export { batches, countBatches } from './batches.js';
export { type CifarBatch, parseCifarBatch } from './cifar.js';
export {
  CIFAR10_CLASSES,
  CIFAR10_NORMALIZATION,
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
} from './classes.js';
export type { FetchLike } from './fetch-like.js';
export {
  type FetchFashionMnistMiniOptions,
  fetchFashionMnistMini,
  type MiniAssetName,
} from './fetch-mini.js';
export { type FromArraysOptions, fromArrays } from './from-arrays.js';
export { encodeIdx, type IdxData, parseIdx } from './idx.js';
export type { Split, SplitOptions } from './idx-dataset.js';
export { labelledOnly } from './labelled-only.js';
export { type MaskLabelsOptions, maskLabels } from './mask-labels.js';
export { MINI_MANIFEST } from './mini-manifest.js';
export { subsetPerClass } from './subset-per-class.js';
export { type TrainValSplitOptions, trainValSplit } from './train-val-split.js';
export type * from './types.js';
