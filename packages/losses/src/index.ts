export {
  AT_DEFAULTS,
  type AttentionTransferLossOptions,
  type AttentionTransferOptions,
  attentionTransferLoss,
} from './attention-transfer.js';
export type { CrossEntropyLossOptions } from './cross-entropy-loss.js';
export {
  type DecoupledKdInputs,
  type DecoupledKdOptions,
  type DecoupledKdTerms,
  DKD_DEFAULTS,
  type DkdLossOptions,
  decoupledKdLoss,
  dkdWarmup,
} from './decoupled-kd.js';
export { KD_DEFAULTS, type KdDefaults } from './defaults.js';
export {
  DIST_DEFAULTS,
  type DistLossOptions,
  type DistOptions,
  type DistTerms,
  distLoss,
} from './dist.js';
export {
  type DistillationInputs,
  type DistillationOptions,
  type DistillationTerms,
  distillationLoss,
  type SoftTarget,
} from './distillation-loss.js';
export { createFeatureAdapter, type FeatureAdapter } from './feature-adapter.js';
export {
  FITNETS_BETA,
  type FitnetsLossOptions,
  type FitnetsOptions,
  fitnetsLoss,
} from './fitnets.js';
export { type HardCrossEntropyOptions, hardCrossEntropy } from './hard-cross-entropy.js';
export type { HintonLossOptions } from './hinton-loss.js';
export type { FeatureLossOptions } from './internal/feature-loss.js';
export type { TaskOptions } from './internal/task-terms.js';
export { klDivergence } from './kl-divergence.js';
export {
  logSoftmaxWithTemperature,
  type TemperatureOptions,
} from './log-softmax-with-temperature.js';
export { type MseLogitsOptions, type MseLossOptions, mseLogitsLoss } from './mse-logits.js';
export {
  type MultiTeacherInputs,
  type MultiTeacherLossOptions,
  type MultiTeacherOptions,
  multiTeacherLoss,
} from './multi-teacher.js';
export { PKT_DEFAULTS, type PktOptions, pktLoss } from './probabilistic-transfer.js';
export {
  type BuiltInLossOptions,
  getLoss,
  type LossInfo,
  listLosses,
  type RegisterLossOptions,
  registerLoss,
  unregisterLoss,
} from './registry.js';
export {
  type RelationalKdLossOptions,
  type RelationalKdOptions,
  type RelationalKdTerms,
  RKD_DEFAULTS,
  relationalKdLoss,
} from './relational-kd.js';
export { SP_BETA, similarityPreservingLoss } from './similarity-preserving.js';
export { type SoftLossOptions, softCrossEntropy } from './soft-cross-entropy.js';
export { softmaxWithTemperature } from './softmax-with-temperature.js';
export type * from './types.js';
