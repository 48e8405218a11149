import type { AugmentOptions, ImageDataset } from '@kdkit/datasets';
import type { Callback, LrScheduleName, OptimizerSpec } from './types.js';

/** Options every loop shares. */
export interface CommonTrainOptions {
  readonly train: ImageDataset;
  /** Scored with `evaluate` after every epoch; the metrics go to `EpochLogs.validation`. */
  readonly validation?: ImageDataset;
  readonly epochs: number;
  readonly batchSize: number;
  /** Default 'adam' (lr 1e-3). */
  readonly optimizer?: OptimizerSpec;
  /** Default 'constant'. 'cosine' decays per step to 0 at the last step. */
  readonly lrSchedule?: LrScheduleName;
  /** Fixes the per-epoch shuffle (it depends only on seed and epoch). Default 0. */
  readonly seed?: number;
  readonly callbacks?: readonly Callback[];
  /** A checkpoint directory written by `checkpoint()`: the run continues after its last epoch. */
  readonly resumeFrom?: string;
  /** Batch augmentation, passed to the datasets `batches`. Off by default. */
  readonly augment?: AugmentOptions | false;
}
