import type { Callback } from '../types.js';

export interface NanGuardOptions {
  /**
   * A loss above this is reported as exploding (once per run). Default 1e6: a cross-entropy over
   * 10 classes starts near 2.3.
   */
  readonly explodeAbove?: number;
  /** Also reported once: a loss this many times its lowest value so far. Default 1e4. */
  readonly explodeFactor?: number;
  /** Receives the one exploding-loss warning. Default `console.warn`. */
  readonly warn?: (message: string) => void;
}

/**
 * Stops training at the first batch whose loss terms are not all finite, naming the step and the
 * term. The stop is a failure: the epoch is not finished, so `checkpoint()` writes nothing more and
 * the last good checkpoint (if an epoch finished) stays. The reason is in `TrainResult.stop`.
 * Before that, a `total` loss that explodes (above `explodeAbove`, or `explodeFactor` times its
 * lowest value so far) is reported once through `warn`: a learning rate far too high shows up
 * long before the NaN.
 *
 * @example
 * const { stop } = await distill({ ..., callbacks: [nanGuard(), checkpoint({ store })] });
 * if (stop?.failed) console.error(stop.reason); // "nanGuard: loss term 'kd' is NaN at step 37 …"
 */
export function nanGuard(options: NanGuardOptions = {}): Callback {
  const above = options.explodeAbove ?? 1e6;
  const factor = options.explodeFactor ?? 1e4;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  let lowest = Number.POSITIVE_INFINITY;
  let warned = false;
  return {
    name: 'nanGuard',
    onTrainBegin() {
      lowest = Number.POSITIVE_INFINITY;
      warned = false;
    },
    onBatchEnd(logs, state) {
      for (const [term, value] of Object.entries(logs.losses)) {
        if (!Number.isFinite(value)) {
          const kept =
            state.completedEpochs === 0
              ? 'no epoch finished, so there is no checkpoint yet'
              : `the last good checkpoint (epoch ${state.completedEpochs}) is kept`;
          state.requestStop(
            `nanGuard: loss term '${term}' is ${value} at step ${logs.step} (epoch ${logs.epoch}, batch ${logs.batch}); stopped, ${kept}`,
            { failed: true, by: 'nanGuard' },
          );
          return;
        }
      }
      const total = logs.losses['total'];
      if (total === undefined || warned) return;
      if (total > above || (lowest >= 0.01 && total > lowest * factor)) {
        warned = true;
        warn(
          `nanGuard: the loss is exploding: total ${total.toPrecision(3)} at step ${logs.step} (lowest so far ${lowest === Number.POSITIVE_INFINITY ? '-' : lowest.toPrecision(3)}); the learning rate is probably too high`,
        );
      }
      lowest = Math.min(lowest, Math.abs(total));
    },
  };
}
