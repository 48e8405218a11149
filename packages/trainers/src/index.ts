// Moved to @kdkit/wasm-kernels; re-exported for existing imports.
export {
  ADAM_UPDATE_KERNEL,
  type AdamUpdateAttrs,
  FusedAdamOptimizer,
} from '@kdkit/wasm-kernels';
export { type CheckpointOptions, checkpoint } from './callbacks/checkpoint.js';
export { type EarlyStoppingOptions, earlyStopping } from './callbacks/early-stopping.js';
export { type NanGuardOptions, nanGuard } from './callbacks/nan-guard.js';
export {
  type CheckpointData,
  captureCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreCheckpoint,
  type StoredOptimizer,
  type StoredTensor,
} from './checkpoint-io.js';
export { type CheckpointStore, memoryCheckpointStore } from './checkpoint-store.js';
export {
  type DistillOptions,
  type DistillResult,
  distill,
  type TeacherCacheMode,
} from './distill.js';
export { type EvaluateOptions, type EvaluationResult, evaluate } from './evaluate.js';
export { type FormatLossTermsOptions, formatLossTerms } from './format-loss-terms.js';
export { type MutualLearningOptions, mutualLearning } from './mutual-learning.js';
export {
  createOptimizer,
  DEFAULT_LR_SCHEDULE,
  getLearningRate,
  scheduledLearningRate,
  setLearningRate,
} from './optimizer.js';
export { type SelfDistillOptions, type SelfDistillResult, selfDistill } from './self-distill.js';
export {
  type GraphModelLike,
  type GraphTeacherOptions,
  type GraphTensorInfo,
  graphTeacher,
  isTeacher,
  type LayersTeacherOptions,
  layersTeacher,
  type Teacher,
} from './teacher.js';
export { TeacherCache, type TeacherCacheOptions } from './teacher-cache.js';
export {
  checkTeacherInputScaling,
  type DeclaredTeacherInput,
  type ModelDim,
  resolveTeacherClasses,
  resolveTeacherInputShape,
  type TeacherInputScaling,
  type TeacherInputSpec,
  type TeacherLayout,
  teacherInput,
} from './teacher-input.js';
export type { CommonTrainOptions } from './train-options.js';
export { type TrainSupervisedOptions, trainSupervised } from './train-supervised.js';
export type * from './types.js';
