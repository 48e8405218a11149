import { assertInteger, assertOneOf, KdkitError } from '@kdkit/engine';
import type { Callback, EpochLogs } from '../types.js';

export interface EarlyStoppingOptions {
  /**
   * `'losses.<term>'` or `'validation.<metric>'`. Default `'validation.meanLoss'` when the run has
   * validation, else `'losses.total'`.
   */
  readonly monitor?: string;
  /** Default 'max' for accuracy/topK/agreement, 'min' otherwise. */
  readonly mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. Default 3. */
  readonly patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
}

function read(logs: EpochLogs, monitor: string): number | undefined {
  const [group, key] = monitor.split('.', 2);
  if (key === undefined) return undefined;
  if (group === 'losses') return logs.losses[key];
  if (group === 'validation') return logs.validation?.[key];
  return undefined;
}

/**
 * Stops a run (after the current epoch) when the monitored value has not improved by `minDelta`
 * for `patience` epochs.
 *
 * @example
 * callbacks: [earlyStopping({ monitor: 'validation.accuracy', patience: 5 })]
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  const patience = options.patience ?? 3;
  const minDelta = options.minDelta ?? 0;
  assertInteger('earlyStopping', 'patience', patience, 1);
  if (options.mode) assertOneOf('earlyStopping', 'mode', options.mode, ['min', 'max']);
  let best = Number.NaN;
  let waited = 0;
  return {
    name: 'earlyStopping',
    onTrainBegin() {
      best = Number.NaN;
      waited = 0;
    },
    onEpochEnd(logs, state) {
      const monitor = options.monitor ?? (logs.validation ? 'validation.meanLoss' : 'losses.total');
      const value = read(logs, monitor);
      if (value === undefined) {
        const available = [
          ...Object.keys(logs.losses).map((k) => `losses.${k}`),
          ...Object.keys(logs.validation ?? {}).map((k) => `validation.${k}`),
        ];
        throw new KdkitError(
          'INVALID_ARGUMENT',
          `earlyStopping: 'monitor' '${monitor}' is not in the epoch logs; available: ${available.join(', ')}`,
        );
      }
      const key = monitor.split('.')[1] ?? '';
      const mode =
        options.mode ?? (['accuracy', 'topK', 'agreement'].includes(key) ? 'max' : 'min');
      const improved =
        Number.isNaN(best) || (mode === 'min' ? value < best - minDelta : value > best + minDelta);
      if (improved) {
        best = value;
        waited = 0;
        return;
      }
      waited++;
      if (waited >= patience) {
        state.requestStop(
          `earlyStopping: '${monitor}' did not improve on ${best} for ${patience} epoch(s)`,
          { by: 'earlyStopping' },
        );
      }
    },
  };
}
