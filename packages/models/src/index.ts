export { configHash } from './config-hash.js';
export { countFlops } from './count-flops.js';
export { createModel } from './create-model.js';
export { fileSystemLoadHandler } from './io/file-system-load-handler.js';
export {
  type FileSystemSaveOptions,
  fileSystemSaveHandler,
  SHARD_BYTES,
} from './io/file-system-save-handler.js';
export type { DirFile } from './io/write-dir-atomically.js';
export { listModels } from './list-models.js';
export { type LoadedModel, loadModel } from './load-model.js';
export { modelInfo } from './model-info.js';
export { META_KEY, type SaveModelOptions, saveModel } from './save-model.js';
export type * from './types.js';
export { type FeatureModel, type WithFeaturesOptions, withFeatures } from './with-features.js';
