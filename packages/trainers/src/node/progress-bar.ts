import cliProgress from 'cli-progress';
import { formatLossTerms } from '../format-loss-terms.js';
import type { Callback } from '../types.js';

export interface ProgressBarOptions {
  /** Default process.stderr. */
  readonly stream?: NodeJS.WritableStream;
  /** Loss terms to show. Default: every term. */
  readonly terms?: readonly string[];
  /** On a non-TTY stream (logs, CI), print a line every this many ms. Default 5000; 0 = silent. */
  readonly nonTtyIntervalMs?: number;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * A cli-progress bar per epoch, on stderr: epoch, step, images/s, loss terms, the epoch's ETA and
 * the whole run's. On a non-TTY stream it prints a plain line every few seconds instead.
 *
 * @example
 * await distill({ ..., callbacks: [progressBar()] });
 * // epoch 2/10 ████████░░░░ 120/235 | 812 img/s | total 0.4121 kd 0.3012 ce 0.6631 | ETA 0:09 (run 1:32)
 */
export function progressBar(options: ProgressBarOptions = {}): Callback {
  const interval = options.nonTtyIntervalMs ?? 5000;
  let bar: cliProgress.SingleBar | undefined;
  let runStarted = 0;
  let stepsAtStart = 0;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    name: 'progressBar',
    onTrainBegin(state) {
      runStarted = performance.now();
      stepsAtStart = state.globalStep;
    },
    onEpochBegin(epoch, state) {
      bar = new cliProgress.SingleBar(
        {
          stream: options.stream ?? process.stderr,
          format:
            'epoch {epoch}/{epochs} {bar} {value}/{total} | {ips} img/s | {terms} | ETA {eta_formatted} (run {runEta})',
          noTTYOutput: interval > 0,
          notTTYSchedule: interval > 0 ? interval : 2000,
          hideCursor: false,
          gracefulExit: false, // a SIGINT listener would swallow the first Ctrl-C
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(state.batchesPerEpoch, 0, {
        epoch: epoch + 1,
        epochs: state.epochs,
        ips: '-',
        terms: '',
        runEta: '?',
      });
    },
    onBatchEnd(logs, state) {
      const done = state.globalStep - stepsAtStart;
      const perStep = (performance.now() - runStarted) / 1000 / Math.max(1, done);
      const remaining = state.epochs * state.batchesPerEpoch - state.globalStep;
      bar?.update(logs.batch + 1, {
        ips: logs.imagesPerSecond.toFixed(0),
        terms: formatLossTerms(logs.losses, { only: options.terms }),
        runEta: formatSeconds(perStep * remaining),
      });
    },
    onEpochEnd(logs) {
      const validation = logs.validation ? ` | val ${formatLossTerms(logs.validation)}` : '';
      bar?.update({
        ips: logs.imagesPerSecond.toFixed(0),
        terms: formatLossTerms(logs.losses, { only: options.terms }) + validation,
      });
      stopBar();
    },
    onTrainEnd: stopBar,
  };
}
