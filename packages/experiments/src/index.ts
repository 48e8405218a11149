export { describeKdSetting, usesHintonOptions } from './kd-setting.js';
export {
  labelSmoothingEntropy,
  matchedLabelSmoothing,
} from './matched-label-smoothing.js';
export { describeDataset, runConfigHash, tripletConfigHash } from './run-config-hash.js';
export { resolveTripletConfig, runTriplet, scratchStudentEpochs } from './run-triplet.js';
export { meanSoftTargetEntropy } from './soft-target-entropy.js';
export {
  meanCi,
  meanStd,
  pairedComparison,
  studentTCdf,
  studentTQuantile,
  twoSidedP,
  welchComparison,
} from './stats.js';
export { gapRecovered, summarizeTriplets } from './summarize.js';
export type * from './types.js';
