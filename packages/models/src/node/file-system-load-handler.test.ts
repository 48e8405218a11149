import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackends, expectAllClose } from '@kdkit/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createModel } from '../create-model.js';
import { fileSystemLoadHandler } from './file-system-load-handler.js';
import { fileSystemSaveHandler } from './file-system-save-handler.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdkit-models-load-handler-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeBackends(['cpu'], 'fileSystemLoadHandler', () => {
  it('loads from the directory or its model.json', async () => {
    const model = createModel('lenet5', { seed: 9 });
    const dir = join(root, 'lenet');
    await model.save(fileSystemSaveHandler(dir));
    for (const path of [dir, join(dir, 'model.json')]) {
      const loaded = await tfl.loadLayersModel(fileSystemLoadHandler(path));
      expectAllClose(loaded.getWeights()[0] as tf.Tensor, model.getWeights()[0] as tf.Tensor, {
        atol: 0,
      });
      loaded.dispose();
    }
    model.dispose();
  });

  it('a shard of the wrong size among several names every shard and its size', async () => {
    const model = createModel('lenet5');
    const dir = join(root, 'shards');
    await model.save(fileSystemSaveHandler(dir, { shardBytes: 100_000 }));
    await truncate(join(dir, 'group1-shard2of3.bin'), 10);
    await expect(tfl.loadLayersModel(fileSystemLoadHandler(dir))).rejects.toThrow(
      new RegExp(
        `group1-shard2of3.bin' \\(10 bytes\\).*hold 146834 bytes, expected ${61_706 * 4} for 10 weights`,
      ),
    );
    model.dispose();
  });
});
