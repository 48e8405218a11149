import { resolve } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { getDataset } from '@kdkit/datasets/node';
import { KdkitError } from '@kdkit/engine';
import {
  type Callback,
  type CheckpointStore,
  checkpoint,
  nanGuard,
  type TrainResult,
} from '@kdkit/trainers';
import { fileCheckpointStore } from '@kdkit/trainers/node';
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

/** The checkpoint store of a run's checkpoint directory. */
export const checkpointStore = (dir: string): CheckpointStore => fileCheckpointStore(dir);

/** With `--resume`, the checkpoint must exist; returns the directory to resume from. */
export async function resumeSource(
  resume: boolean | undefined,
  dir: string,
): Promise<string | undefined> {
  if (!resume) return undefined;
  if ((await checkpointStore(dir).read()) === undefined) {
    throw new KdkitError(
      'FILE_NOT_FOUND',
      `--resume: no checkpoint in ${dir}. Run the same command without --resume to start over (or point --checkpoint-dir at the interrupted run's checkpoint).`,
    );
  }
  return dir;
}

/** What a training command hands its trainer call. */
export interface TrainingHooks {
  readonly callbacks: Callback[];
  /** Aborted by Ctrl-C: the trainer stops after the current step. */
  readonly signal: AbortSignal;
}

/**
 * Runs a trainer with the CLI's callbacks: progress on stderr, a NaN guard (which also warns once
 * when the loss explodes), a checkpoint after every epoch, and Ctrl-C through the trainer's
 * `signal` (stop after the current step, save it in the checkpoint, say how to resume). Throws
 * INTERRUPTED after a Ctrl-C and NON_FINITE when the NaN guard stopped the run.
 */
export async function runTraining<R extends TrainResult>(
  label: string,
  epochs: number,
  checkpointDir: string,
  out: Output,
  train: (hooks: TrainingHooks) => Promise<R>,
): Promise<R> {
  const watch = new InterruptWatch();
  const callbacks: Callback[] = [
    ...(out.showProgress ? progressCallbacks(label, epochs) : []),
    nanGuard({ warn: (message) => process.stderr.write(`kdkit: warning: ${message}\n`) }),
    checkpoint({ store: checkpointStore(checkpointDir) }),
  ];
  try {
    const result = await train({ callbacks, signal: watch.signal });
    if (result.stop?.interrupted || watch.interrupted) {
      const done = result.completedEpochs;
      throw new KdkitError(
        'INTERRUPTED',
        `interrupted during epoch ${Math.min(done + 1, epochs)}/${epochs}, after the current step. The checkpoint (${done} epoch${done === 1 ? '' : 's'} and the steps since) is in ${checkpointDir}. To continue, run:\n  ${resumeCommand()}`,
      );
    }
    if (result.stop?.failed) {
      const kept =
        result.completedEpochs > 0
          ? ` The checkpoint of the last good epoch (${result.completedEpochs}) is in ${checkpointDir}.`
          : result.stop.reason.includes('no checkpoint yet')
            ? ''
            : ' No epoch finished, so there is no checkpoint yet.';
      throw new KdkitError(
        'NON_FINITE',
        `${label}: training stopped: ${result.stop.reason}.${kept}`,
      );
    }
    if (result.stop) out.info(`  ${label}: stopped early: ${result.stop.reason}`);
    return result;
  } finally {
    watch.dispose();
  }
}
