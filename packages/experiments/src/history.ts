import type { ImageDataset } from '@kdkit/datasets';
import { type Callback, type EpochLogs, evaluate } from '@kdkit/trainers';
import type { EpochRecord } from './types.js';

/** Which split per-epoch accuracies were measured on. */
export type MonitoredField = 'testAccuracy' | 'validationAccuracy';

/** Trainers' per-epoch logs as experiment history records, with per-epoch accuracies when known. */
export function toEpochRecords(
  history: readonly EpochLogs[],
  accuracies: ReadonlyMap<number, number> = new Map(),
  field: MonitoredField = 'testAccuracy',
): EpochRecord[] {
  return history.map((logs) => toEpochRecord(logs, accuracies.get(logs.epoch), field));
}

export function toEpochRecord(
  logs: EpochLogs,
  measured?: number,
  field: MonitoredField = 'testAccuracy',
): EpochRecord {
  const { total, ...terms } = logs.losses;
  const accuracy = measured ?? logs.validation?.['accuracy'];
  return {
    epoch: logs.epoch,
    loss: total ?? Number.NaN,
    terms,
    ...(accuracy !== undefined ? { [field]: accuracy } : {}),
    seconds: logs.seconds,
    imagesPerSecond: logs.imagesPerSecond,
  };
}

/** Training time of a run: the sum of its epochs (evaluation excluded). */
export function trainingSeconds(history: readonly EpochLogs[]): number {
  return history.reduce((sum, logs) => sum + logs.seconds, 0);
}

/**
 * A callback that scores the trained model alone on `test` after every `every`-th epoch (and the
 * last one; trainers' `validation` of `distill` also runs the teacher, which costs a teacher
 * forward per epoch), then hands each epoch's record to `onRecord`. Accuracies land in
 * `accuracies` by epoch.
 */
export function epochEvaluator(
  test: ImageDataset | undefined,
  onRecord?: (record: EpochRecord) => void | Promise<void>,
  every = 1,
  field: MonitoredField = 'testAccuracy',
): { callback: Callback; accuracies: Map<number, number> } {
  const accuracies = new Map<number, number>();
  const callback: Callback = {
    name: 'experiments-epoch-evaluator',
    async onEpochEnd(logs, state) {
      const model = state.models[0]?.model;
      const due = (logs.epoch + 1) % every === 0 || logs.epoch + 1 === state.epochs;
      if (test && model && due) {
        accuracies.set(logs.epoch, (await evaluate(model, test)).accuracy);
      }
      await onRecord?.(toEpochRecord(logs, accuracies.get(logs.epoch), field));
    },
  };
  return { callback, accuracies };
}
