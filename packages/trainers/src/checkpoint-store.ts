import type { CheckpointData } from './checkpoint-io.js';

/**
 * Where a run's checkpoint lives. `checkpoint({ store })` writes to it after each epoch and
 * `resumeFrom: store` continues from what it holds. A write replaces the previous checkpoint as a
 * whole: a store must never return half of one. `fileCheckpointStore(dir)` (from
 * `@kdkit/trainers/node`) keeps it on disk; {@link memoryCheckpointStore} keeps it in memory (a
 * browser tab, tests); any other storage (IndexedDB, a bucket) fits the same two methods.
 */
export interface CheckpointStore {
  /** Names the store in messages: a path, `'memory'`, a URL… */
  readonly description: string;
  /** The last checkpoint written, or undefined when there is none yet. */
  read(): Promise<CheckpointData | undefined>;
  /** Replaces the stored checkpoint with `data`. */
  write(data: CheckpointData): Promise<void>;
}

/**
 * A {@link CheckpointStore} in memory: it keeps the last checkpoint written (the plain arrays of
 * `captureCheckpoint`, no tensors) for the life of the object.
 *
 * @example
 * const store = memoryCheckpointStore();
 * await trainSupervised({ ..., callbacks: [checkpoint({ store })] });
 * await trainSupervised({ ..., resumeFrom: store }); // continues after the last saved epoch
 */
export function memoryCheckpointStore(): CheckpointStore {
  let stored: CheckpointData | undefined;
  return {
    description: 'memory',
    async read() {
      return stored;
    },
    async write(data) {
      stored = data;
    },
  };
}
