import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { loadFashionMnistMini } from '@kdkit/datasets';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadOrTrainTeacher, teacherCacheKey } from './teacher-cache.js';

let train: ImageDataset;
let test: ImageDataset;
const dir = mkdtempSync(join(tmpdir(), 'kdkit-teacher-cache-'));

beforeAll(async () => {
  train = await loadFashionMnistMini({ split: 'train', limit: 128 });
  test = await loadFashionMnistMini({ split: 'test', limit: 32 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A small zoo net stands in for a teacher: the cache doesn't care which net it holds.
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
      expect(first.fromCache).toBe(false);
      expect(first.seconds).toBeGreaterThan(0);
      expect(first.history).toHaveLength(1);
      expect(second.fromCache).toBe(true);
      expect(second.seconds).toBe(first.seconds);
      expect(second.path).toBe(first.path);
      expect(second.configHash).toBe(first.configHash);
      expect(first.path).toContain(`cnn-student-${first.configHash}`);
      expect(second.accuracy).toBe(first.accuracy);
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
    const base = teacherCacheKey(options());
    expect(teacherCacheKey({ ...options() })).toBe(base);
    expect(teacherCacheKey({ ...options(), seed: 1 })).not.toBe(base);
    expect(teacherCacheKey({ ...options(), epochs: 2 })).not.toBe(base);
    expect(teacherCacheKey({ ...options(), learningRate: 1e-2 })).not.toBe(base);
    expect(teacherCacheKey({ ...options(), train: test })).not.toBe(base);
    // The test set only labels the teacher's metadata; it is not part of the key.
    expect(teacherCacheKey({ ...options(), test: train })).toBe(base);
  });

  it('retrains a corrupt entry', async () => {
    const first = await loadOrTrainTeacher({ ...options(), seed: 3 });
    first.model.dispose();
    writeFileSync(join(first.path, 'model.json'), '{ not json');
    const again = await loadOrTrainTeacher({ ...options(), seed: 3 });
    again.model.dispose();
    expect(again.fromCache).toBe(false);
    const third = await loadOrTrainTeacher({ ...options(), seed: 3 });
    third.model.dispose();
    expect(third.fromCache).toBe(true);
  });

  it('leaks no tensors on a cache hit', async () => {
    await expectNoLeaks(async () => {
      const { model } = await loadOrTrainTeacher(options());
      model.dispose();
    });
  });
});
