export { configHash, describeDataset } from './config-hash.js';
export { resolveTripletConfig, runTriplet, scratchStudentEpochs } from './run-triplet.js';
export { gapRecovered, meanStd, summarizeTriplets } from './summarize.js';
export { loadOrTrainTeacher, teacherCacheKey } from './teacher-cache.js';
export type * from './types.js';
