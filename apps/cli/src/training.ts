import { resolve } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { getDataset } from '@kdkit/datasets';
import { isKdkitError, KdkitError } from '@kdkit/engine';
import {
  type Callback,
  checkpoint,
  nanGuard,
  readCheckpoint,
  type TrainResult,
  type TrainState,
} from '@kdkit/trainers';
import { InterruptWatch, resumeCommand } from './interrupt.js';
import type { Output } from './output.js';
import { progressCallbacks } from './progress.js';

/** Loads a split of a named dataset, with the CLI's `--data-dir` and `--limit`. */
export function loadSplit(
  name: string,
  split: 'train' | 'test',
  options: { dataDir?: string | undefined; limit?: number | undefined },
): Promise<ImageDataset> {
  return getDataset(name, {
    split,
    ...(options.dataDir === undefined ? {} : { dir: options.dataDir }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
}

/** Where a run's checkpoint lives: `--checkpoint-dir`, else `<out>.checkpoint`. */
export const checkpointDirFor = (out: string, explicit: string | undefined): string =>
  resolve(explicit ?? `${out.replace(/[/\\]+$/, '')}.checkpoint`);

/** With `--resume`, the checkpoint must exist; returns the directory to resume from. */
export async function resumeSource(
  resume: boolean | undefined,
  dir: string,
): Promise<string | undefined> {
  if (!resume) return undefined;
  try {
    await readCheckpoint(dir);
  } catch (error) {
    if (!isKdkitError(error, 'FILE_NOT_FOUND')) throw error;
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `--resume: no checkpoint in ${dir}. Run the same command without --resume to start over (or point --checkpoint-dir at the interrupted run's checkpoint).`,
    );
  }
  return dir;
}

/**
 * Runs a trainer with the CLI's callbacks: progress on stderr, a NaN guard, a checkpoint after
 * every epoch, and Ctrl-C handling (stop after the current step, keep the last epoch's checkpoint, and say how
 * to resume). Throws INTERRUPTED after a Ctrl-C and NON_FINITE-style failures as they come.
 */
export async function runTraining(
  label: string,
  epochs: number,
  checkpointDir: string,
  out: Output,
  train: (callbacks: Callback[]) => Promise<TrainResult>,
): Promise<TrainResult> {
  const watch = new InterruptWatch();
  const interrupt: Callback = {
    name: 'ctrl-c',
    onBatchEnd(_logs, state: TrainState) {
      if (watch.interrupted)
        state.requestStop('interrupted (Ctrl-C)', { failed: true, by: 'ctrl-c' });
    },
  };
  const callbacks: Callback[] = [
    ...(out.showProgress ? progressCallbacks(label, epochs) : []),
    nanGuard(),
    checkpoint({ dir: checkpointDir }),
    interrupt,
  ];
  try {
    const result = await train(callbacks);
    if (watch.interrupted || result.stop?.by === 'ctrl-c') {
      const done = result.completedEpochs;
      throw new KdkitError(
        'INTERRUPTED',
        done > 0
          ? `interrupted during epoch ${done + 1}/${epochs}. The checkpoint of epoch ${done} is in ${checkpointDir}. To continue, run:\n  ${resumeCommand()}`
          : `interrupted during epoch 1/${epochs}, before any checkpoint was written. Run the command again to start over.`,
      );
    }
    if (result.stop?.failed) {
      throw new KdkitError(
        'NON_FINITE',
        `${label}: training stopped: ${result.stop.reason}. The checkpoint of the last good epoch (${result.completedEpochs}) is in ${checkpointDir}.`,
      );
    }
    if (result.stop) out.info(`  ${label}: stopped early: ${result.stop.reason}`);
    return result;
  } finally {
    watch.dispose();
  }
}
