import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import { tempDir } from '../test/fixtures.js';
import {
  CHECKPOINT_FILE,
  type CheckpointData,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint-io.js';

const sample: CheckpointData = {
  kind: 'distill',
  completedEpochs: 3,
  globalStep: 30,
  seed: 9,
  rng: { s: [1, 2, 3, 4] },
  history: [{ epoch: 0, losses: { total: 1.5 }, imagesPerSecond: 10, seconds: 2 }],
  models: [
    {
      name: 'student',
      weights: [
        {
          name: '0:k',
          shape: [2, 2],
          dtype: 'float32',
          values: Float32Array.from([1, -2, 3.5, 1e-8]),
        },
        { name: '1:n', shape: [1], dtype: 'int32', values: Int32Array.from([7]) },
      ],
      extra: [
        { name: 'extra0', shape: [2], dtype: 'float32', values: Float32Array.from([0.5, 2]) },
      ],
    },
  ],
  optimizers: [
    {
      className: 'Adam',
      extra: { accBeta1: 0.81 },
      weights: [{ name: 'iter', shape: [], dtype: 'int32', values: Int32Array.from([30]) }],
    },
  ],
};

describeBackends(['cpu'], 'writeCheckpoint / readCheckpoint', () => {
  it('round-trips exactly', async () => {
    const dir = await tempDir();
    expect(await writeCheckpoint(dir, sample)).toBe(join(dir, CHECKPOINT_FILE));
    expect(await readCheckpoint(dir)).toEqual(sample);
  });

  it('reports a missing or corrupt checkpoint with its path', async () => {
    const dir = await tempDir();
    const missing = await readCheckpoint(dir).catch((e: unknown) => e);
    expect(isKdkitError(missing, 'FILE_NOT_FOUND')).toBe(true);
    expect(String(missing)).toContain(dir);
    await writeFile(join(dir, CHECKPOINT_FILE), 'not a checkpoint');
    const corrupt = await readCheckpoint(dir).catch((e: unknown) => e);
    expect(isKdkitError(corrupt, 'CORRUPT_FILE')).toBe(true);
  });
});
