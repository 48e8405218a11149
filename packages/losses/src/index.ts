export { attentionTransferLoss } from './attention-transfer.js';
export {
  type DecoupledKdOptions,
  type DecoupledKdTerms,
  decoupledKdLoss,
  dkdWarmup,
} from './decoupled-kd.js';
export {
  type DistillationInputs,
  type DistillationOptions,
  type DistillationTerms,
  distillationLoss,
  type SoftTarget,
} from './distillation-loss.js';
export { createFeatureAdapter, type FeatureAdapter } from './feature-adapter.js';
export { type FitnetsOptions, fitnetsLoss } from './fitnets.js';
export { type HardCrossEntropyOptions, hardCrossEntropy } from './hard-cross-entropy.js';
export { klDivergence } from './kl-divergence.js';
export {
  logSoftmaxWithTemperature,
  type TemperatureOptions,
} from './log-softmax-with-temperature.js';
// The KD family
export { type MseLogitsOptions, mseLogitsLoss } from './mse-logits.js';
export { type MultiTeacherOptions, multiTeacherLoss } from './multi-teacher.js';
export { pktLoss } from './probabilistic-transfer.js';
// The extension API
export {
  getLoss,
  type LossInfo,
  listLosses,
  type RegisterLossOptions,
  registerLoss,
  unregisterLoss,
} from './registry.js';
export {
  type RelationalKdOptions,
  type RelationalKdTerms,
  relationalKdLoss,
} from './relational-kd.js';
export { similarityPreservingLoss } from './similarity-preserving.js';
export { type SoftLossOptions, softCrossEntropy } from './soft-cross-entropy.js';
// Core (Hinton et al. 2015)
export { softmaxWithTemperature } from './softmax-with-temperature.js';
export type * from './types.js';
