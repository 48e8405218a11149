import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadOrTrainTeacher, teacherStore, teacherStoreKey } from './teacher-store.js';

let train: ImageDataset;
let test: ImageDataset;
const dir = mkdtempSync(join(tmpdir(), 'kdkit-teacher-store-'));

beforeAll(async () => {
  train = await loadFashionMnistMini({ split: 'train', limit: 128 });
  test = await loadFashionMnistMini({ split: 'test', limit: 32 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A small zoo net stands in for a teacher: the store doesn't care which net it holds.
const options = () => ({ dir, model: 'cnn-student', train, test, epochs: 1, batchSize: 64 });

describeBackends(['wasm'], 'loadOrTrainTeacher', () => {
  it('trains and saves on a miss, then loads the same weights on a hit', async () => {
    let started = 0;
    const first = await loadOrTrainTeacher({ ...options(), onTrainingStart: () => void started++ });
    const second = await loadOrTrainTeacher({
      ...options(),
      onTrainingStart: () => void started++,
    });
    try {
      expect(started).toBe(1);
      expect(first.fromStore).toBe(false);
      expect(first.seconds).toBeGreaterThan(0);
      expect(first.history).toHaveLength(1);
      expect(second.fromStore).toBe(true);
      expect(second.seconds).toBe(first.seconds);
      expect(second.path).toBe(first.path);
      expect(second.storeKey).toBe(first.storeKey);
      expect(first.path).toContain(`cnn-student-${first.storeKey}`);
      expect(second.accuracy).toBe(first.accuracy);
      // teacherStore(dir) is the same store as a TripletConfig.teacherStore.
      const { dir: _dir, ...request } = options();
      const third = await teacherStore(dir)(request);
      expect(third.fromStore).toBe(true);
      expect(third.path).toBe(first.path);
      third.model.dispose();
      const xs = tf.tensor4d(test.images.subarray(0, 8 * 784), [8, 28, 28, 1]);
      const a = first.model.predict(xs) as tf.Tensor;
      const b = second.model.predict(xs) as tf.Tensor;
      expectAllClose(b, a, { atol: 1e-5 });
      tf.dispose([xs, a, b]);
    } finally {
      first.model.dispose();
      second.model.dispose();
    }
  });

  it('keys on recipe, seed and data', () => {
    const base = teacherStoreKey(options());
    expect(teacherStoreKey({ ...options() })).toBe(base);
    expect(teacherStoreKey({ ...options(), seed: 1 })).not.toBe(base);
    expect(teacherStoreKey({ ...options(), epochs: 2 })).not.toBe(base);
    expect(teacherStoreKey({ ...options(), learningRate: 1e-2 })).not.toBe(base);
    expect(teacherStoreKey({ ...options(), train: test })).not.toBe(base);
    // The test set only labels the teacher's metadata; it is not part of the key.
    expect(teacherStoreKey({ ...options(), test: train })).toBe(base);
  });

  it('retrains a corrupt entry', async () => {
    const first = await loadOrTrainTeacher({ ...options(), seed: 3 });
    first.model.dispose();
    writeFileSync(join(first.path, 'model.json'), '{ not json');
    const again = await loadOrTrainTeacher({ ...options(), seed: 3 });
    again.model.dispose();
    expect(again.fromStore).toBe(false);
    const third = await loadOrTrainTeacher({ ...options(), seed: 3 });
    third.model.dispose();
    expect(third.fromStore).toBe(true);
  });

  it('leaks no tensors when loaded from the store', async () => {
    await expectNoLeaks(async () => {
      const { model } = await loadOrTrainTeacher(options());
      model.dispose();
    });
  });
});
