import { assertInteger } from '@kdkit/engine';
import { captureCheckpoint } from '../checkpoint-io.js';
import type { CheckpointStore } from '../checkpoint-store.js';
import type { Callback } from '../types.js';

export interface CheckpointOptions {
  /**
   * Where to save: `fileCheckpointStore(dir)` from `@kdkit/trainers/node` on disk,
   * `memoryCheckpointStore()` in memory. Pass the same store as `resumeFrom` to continue the run.
   */
  readonly store: CheckpointStore;
  /** Save every this many epochs (and always after the last). Default 1. */
  readonly every?: number;
}

/**
 * Saves, at the end of every epoch, the weights, optimizer state (`optimizer.getWeights()`),
 * epoch, global step, RNG state and history into `store`, replacing the previous checkpoint as a
 * whole (the file store writes a temp file, fsyncs and renames). It never saves a failed epoch or
 * one whose mean losses are not finite, so the last good checkpoint survives a NaN. A killed run
 * resumed with `resumeFrom: store` loses at most the current epoch.
 *
 * @example
 * import { fileCheckpointStore } from '@kdkit/trainers/node';
 * const store = fileCheckpointStore('runs/t');
 * await trainSupervised({ ..., callbacks: [checkpoint({ store })] });
 * await trainSupervised({ ..., resumeFrom: store }); // after a kill
 */
export function checkpoint(options: CheckpointOptions): Callback {
  const every = options.every ?? 1;
  assertInteger('checkpoint', 'every', every, 1);
  return {
    name: 'checkpoint',
    async onEpochEnd(logs, state) {
      if (state.stop?.failed) return;
      if (!Object.values(logs.losses).every(Number.isFinite)) return;
      const last = state.completedEpochs === state.epochs || state.stop !== undefined;
      if (state.completedEpochs % every !== 0 && !last) return;
      await options.store.write(await captureCheckpoint(state));
    },
    // An interrupt (the run's signal) inside an epoch saves the steps done so far.
    async onTrainEnd(state) {
      if (!state.stop?.interrupted || state.partialEpoch === undefined) return;
      if (!Object.values(state.partialEpoch.sums).every(Number.isFinite)) return;
      await options.store.write(await captureCheckpoint(state));
    },
  };
}
