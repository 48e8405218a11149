import { type Callback, formatLossTerms } from '@kdkit/trainers';
import cliProgress from 'cli-progress';

/** Where a running step shows its live state (a listr2 task, or nothing). */
export interface StepReporter {
  /** Replaces the step's title. */
  title(text: string): void;
  /** Replaces the step's live output line (the epoch bar). */
  output(text: string): void;
}

export const SILENT_REPORTER: StepReporter = { title: () => {}, output: () => {} };

const { Format } = cliProgress;

const BAR = {
  barsize: 24,
  barCompleteString: '█'.repeat(24),
  barIncompleteString: '░'.repeat(24),
  barGlue: '',
};

/**
 * A trainer callback that draws a per-epoch bar (epoch, progress, images/s, loss terms, ETA)
 * into the step's output. With `live` false (no TTY: CI logs) it writes one line per epoch
 * instead of redrawing. With `epochLines`, each finished epoch also gets a summary line (otherwise
 * the caller writes it, e.g. from runTriplet's `onEpochEnd` hook, which knows the test accuracy).
 */
export function epochBar(
  reporter: StepReporter,
  label: string,
  options: { live: boolean; intervalMs?: number; epochLines?: boolean },
): Callback {
  const interval = options.intervalMs ?? 200;
  let last = 0;
  let epochs = 0;
  return {
    name: 'bench-epoch-bar',
    onTrainBegin(state) {
      epochs = state.epochs;
    },
    onBatchEnd(logs) {
      if (!options.live) return;
      const now = performance.now();
      const done = logs.batch + 1 === logs.batchesPerEpoch;
      if (now - last < interval && !done) return;
      last = now;
      const progress = (logs.batch + 1) / logs.batchesPerEpoch;
      const remainingImages = (logs.batchesPerEpoch - logs.batch - 1) * logs.size;
      const eta = Format.TimeFormat(
        Math.round(remainingImages / Math.max(1e-9, logs.imagesPerSecond)),
        { autopaddingChar: '0' },
        1,
      );
      reporter.output(
        `${label} · epoch ${logs.epoch + 1}/${epochs} ${Format.BarFormat(progress, BAR)} ` +
          `${Math.round(progress * 100)}% · ${Math.round(logs.imagesPerSecond)} img/s · ` +
          `${formatLossTerms(logs.losses)} · ETA ${eta}`,
      );
    },
    onEpochEnd(logs) {
      if (!options.epochLines) return;
      const accuracy = logs.validation?.['accuracy'];
      reporter.output(
        epochLine(label, {
          epoch: logs.epoch,
          epochs,
          seconds: logs.seconds,
          imagesPerSecond: logs.imagesPerSecond,
          losses: logs.losses,
          ...(accuracy !== undefined ? { testAccuracy: accuracy } : {}),
        }),
      );
    },
  };
}

/** One finished epoch as a line: time, speed, loss terms, test accuracy. */
export function epochLine(
  label: string,
  e: {
    epoch: number;
    epochs?: number;
    seconds: number;
    imagesPerSecond: number;
    losses: Readonly<Record<string, number>>;
    testAccuracy?: number;
  },
): string {
  return (
    `${label} · epoch ${e.epoch + 1}${e.epochs ? `/${e.epochs}` : ''} done in ${e.seconds.toFixed(1)} s · ` +
    `${Math.round(e.imagesPerSecond)} img/s · ${formatLossTerms(e.losses)}` +
    (e.testAccuracy !== undefined ? ` · test acc ${(e.testAccuracy * 100).toFixed(2)}%` : '')
  );
}
