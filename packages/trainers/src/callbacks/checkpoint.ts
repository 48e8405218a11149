import { assertInteger } from '@kdkit/engine';
import { captureCheckpoint, writeCheckpoint } from '../checkpoint-io.js';
import type { Callback } from '../types.js';

export interface CheckpointOptions {
  /** Directory of `checkpoint.kdkc`; pass it as `resumeFrom` to continue the run. */
  readonly dir: string;
  /** Save every this many epochs (and always after the last). Default 1. */
  readonly every?: number;
}

/**
 * Saves, at the end of every epoch, the weights, optimizer state (`optimizer.getWeights()`),
 * epoch, global step, RNG state and history, atomically (temp file, fsync, rename). It never
 * saves a failed epoch or one whose mean losses are not finite, so the last good checkpoint
 * survives a NaN. A killed run resumed with `resumeFrom: dir` loses at most the current epoch.
 *
 * @example
 * await trainSupervised({ ..., callbacks: [checkpoint({ dir: 'runs/t' })] });
 * await trainSupervised({ ..., resumeFrom: 'runs/t' }); // after a kill
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
      await writeCheckpoint(options.dir, await captureCheckpoint(state));
    },
  };
}
