import type { AugmentOptions, ImageDataset } from '@kdkit/datasets';
import type { CheckpointStore } from './checkpoint-store.js';
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
  /** Default {@link DEFAULT_LR_SCHEDULE} (`'cosine'`: decays per step to 0 at the last step). */
  readonly lrSchedule?: LrScheduleName;
  /** Fixes the per-epoch shuffle (it depends only on seed and epoch). Default 0. */
  readonly seed?: number;
  readonly callbacks?: readonly Callback[];
  /** A store `checkpoint()` wrote to: the run continues after its last saved epoch. */
  readonly resumeFrom?: CheckpointStore;
  /**
   * Stops the run between two steps once aborted (e.g. on Ctrl-C): the result's `stop` has
   * `interrupted: true` and `checkpoint()` saves the unfinished epoch, so `resumeFrom` continues
   * at the next step. An `AbortController`'s signal works in Node and in browsers.
   */
  readonly signal?: AbortSignal;
  /**
   * Settings of the run beyond the loop's own (dataset, teacher identity, loss and its options…),
   * JSON values only. Stored in checkpoints with epochs, batch size, seed, schedule and learning
   * rates; `resumeFrom` refuses a checkpoint whose settings differ, naming each one.
   */
  readonly recipe?: Readonly<Record<string, unknown>>;
  /** Batch augmentation, passed to the datasets `batches`. Off by default. */
  readonly augment?: AugmentOptions | false;
}
