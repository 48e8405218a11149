import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import { describe, expect, it } from 'vitest';
import {
  disposeModels,
  quadrantDataset,
  sampleCheckpoint,
  stopAfter,
  tempDir,
  testCrossEntropy,
  tinyMlp,
  weightsOf,
} from '../../test/fixtures.js';
import { checkpoint } from '../callbacks/checkpoint.js';
import { trainSupervised } from '../train-supervised.js';
import { CHECKPOINT_FILE, fileCheckpointStore } from './file-checkpoint-store.js';

// Written by the path-based writeCheckpoint before the store existed: runs checkpointed then
// must still resume.
const GOLDEN = new URL('../../test/golden/checkpoint-v1.kdkc', import.meta.url);

describe('fileCheckpointStore', () => {
  it('writes the same bytes as before, and reads them back exactly', async () => {
    const dir = await tempDir();
    const store = fileCheckpointStore(dir);
    expect(store.file).toBe(join(dir, CHECKPOINT_FILE));
    expect(await store.read()).toBeUndefined();
    await store.write(sampleCheckpoint);
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]); // no temp file left behind
    expect(await readFile(store.file)).toEqual(await readFile(GOLDEN));
    expect(await store.read()).toEqual(sampleCheckpoint);
    expect(await fileCheckpointStore(GOLDEN.pathname).read()).toEqual(sampleCheckpoint);
  });

  it('names the file of a corrupt checkpoint', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, CHECKPOINT_FILE), 'not a checkpoint');
    const corrupt = await fileCheckpointStore(dir)
      .read()
      .catch((e: unknown) => e);
    expect(isKdkitError(corrupt, 'CORRUPT_FILE')).toBe(true);
    expect(String(corrupt)).toContain(join(dir, CHECKPOINT_FILE));
  });
});

describeBackends(['cpu'], 'checkpoint to disk + resumeFrom', () => {
  it('kill after epoch 1 + resume from the directory = uninterrupted run', async () => {
    const common = {
      train: quadrantDataset(40, 1),
      epochs: 3,
      batchSize: 16,
      seed: 7,
      loss: testCrossEntropy,
      optimizer: 'adam' as const,
    };
    const full = tinyMlp(3);
    await trainSupervised({ ...common, model: full });
    const dir = await tempDir();
    const killed = tinyMlp(3);
    await trainSupervised({
      ...common,
      model: killed,
      callbacks: [checkpoint({ store: fileCheckpointStore(dir) }), stopAfter(1)],
    });
    const resumed = tinyMlp(99);
    const rest = await trainSupervised({
      ...common,
      model: resumed,
      resumeFrom: fileCheckpointStore(dir),
    });
    expect(rest.completedEpochs).toBe(3);
    expect(weightsOf(resumed)).toEqual(weightsOf(full));
    disposeModels(full, killed, resumed);
  });
});
