import { type Callback, type EpochLogs, formatLossTerms } from '@kdkit/trainers';
import { progressBar } from '@kdkit/trainers/node';

/** One line per finished epoch, for logs and pipes (a terminal gets the bar instead). */
function epochLines(label: string, epochs: number): Callback {
  return {
    name: 'epoch-lines',
    onEpochEnd(logs: EpochLogs) {
      const validation = logs.validation?.['accuracy'];
      process.stderr.write(
        `  ${label} · epoch ${logs.epoch + 1}/${epochs} · ${formatLossTerms(logs.losses)}${validation === undefined ? '' : ` · val acc ${(validation * 100).toFixed(2)}%`} · ${Math.round(logs.imagesPerSecond)} img/s · ${logs.seconds.toFixed(1)}s\n`,
      );
    },
  };
}

/**
 * Progress of one training run on stderr: trainers' progress bar on a terminal, else one line
 * per finished epoch.
 */
export function progressCallbacks(label: string, epochs: number): Callback[] {
  return process.stderr.isTTY ? [progressBar()] : [epochLines(label, epochs)];
}
