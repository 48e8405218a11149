export { type CheckpointOptions, checkpoint } from './callbacks/checkpoint.js';
export { type EarlyStoppingOptions, earlyStopping } from './callbacks/early-stopping.js';
export { metricsLog } from './callbacks/metrics-log.js';
export { nanGuard } from './callbacks/nan-guard.js';
export { type ProgressBarOptions, progressBar } from './callbacks/progress-bar.js';
export {
  type CheckpointData,
  captureCheckpoint,
  readCheckpoint,
  restoreCheckpoint,
  writeCheckpoint,
} from './checkpoint-io.js';
export {
  type DistillOptions,
  type DistillResult,
  distill,
  type TeacherCacheMode,
} from './distill.js';
export { type EvaluateOptions, type EvaluationResult, evaluate } from './evaluate.js';
export { type MutualLearningOptions, mutualLearning } from './mutual-learning.js';
export {
  createOptimizer,
  getLearningRate,
  scheduledLearningRate,
  setLearningRate,
} from './optimizer.js';
export { type SelfDistillOptions, type SelfDistillResult, selfDistill } from './self-distill.js';
export { TeacherCache, type TeacherCacheOptions } from './teacher-cache.js';
export type { CommonTrainOptions } from './train-options.js';
export { type TrainSupervisedOptions, trainSupervised } from './train-supervised.js';
export type * from './types.js';
