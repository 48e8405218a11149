export { CHECKPOINT_FILE, fileCheckpointStore } from './file-checkpoint-store.js';
export { metricsLog } from './metrics-log.js';
export { type ProgressBarOptions, progressBar } from './progress-bar.js';
