export type { DirFile } from '@kdkit/engine/node';
export { fileSystemLoadHandler } from './file-system-load-handler.js';
export {
  type FileSystemSaveOptions,
  fileSystemSaveHandler,
  SHARD_BYTES,
} from './file-system-save-handler.js';
export { type LoadedModel, loadModel } from './load-model.js';
export { META_KEY, type SaveModelOptions, saveModel } from './save-model.js';
