import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Callback } from '../types.js';

/**
 * Appends one JSON line per epoch to `path`: `{ epoch, losses, validation?, imagesPerSecond,
 * seconds, learningRate?, time }`, and a `{ stop }` line when a callback stopped the run. A
 * resumed run keeps appending to the same file.
 *
 * @example
 * await trainSupervised({ ..., callbacks: [metricsLog('runs/teacher/metrics.jsonl')] });
 */
export function metricsLog(path: string): Callback {
  const write = async (record: Record<string, unknown>) => {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${JSON.stringify(record)}\n`, 'utf8');
  };
  return {
    name: 'metricsLog',
    async onEpochEnd(logs, state) {
      await write({ kind: state.kind, ...logs, time: new Date().toISOString() });
    },
    async onTrainEnd(state) {
      if (state.stop) {
        await write({ kind: state.kind, stop: state.stop, completedEpochs: state.completedEpochs });
      }
    },
  };
}
