import type { Callback } from '../types.js';

/**
 * Stops training at the first batch whose loss terms are not all finite, naming the step and the
 * term. The stop is a failure: the epoch is not finished, so `checkpoint()` writes nothing more and
 * the last good checkpoint stays on disk. The reason is in `TrainResult.stop`.
 *
 * @example
 * const { stop } = await distill({ ..., callbacks: [nanGuard(), checkpoint({ dir })] });
 * if (stop?.failed) console.error(stop.reason); // "nanGuard: loss term 'kd' is NaN at step 37 …"
 */
export function nanGuard(): Callback {
  return {
    name: 'nanGuard',
    onBatchEnd(logs, state) {
      for (const [term, value] of Object.entries(logs.losses)) {
        if (!Number.isFinite(value)) {
          state.requestStop(
            `nanGuard: loss term '${term}' is ${value} at step ${logs.step} (epoch ${logs.epoch}, batch ${logs.batch}); stopped, last good checkpoint kept (epoch ${state.completedEpochs})`,
            { failed: true, by: 'nanGuard' },
          );
          return;
        }
      }
    },
  };
}
