export { architectureHash } from './architecture-hash.js';
export { countFlops } from './count-flops.js';
export { createModel } from './create-model.js';
export { listModels } from './list-models.js';
export { modelInfo } from './model-info.js';
export type * from './types.js';
export { type FeatureModel, type WithFeaturesOptions, withFeatures } from './with-features.js';
