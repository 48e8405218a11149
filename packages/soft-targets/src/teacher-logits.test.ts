import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import { layersTeacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { randomDataset, tinyModel } from '../test/fixtures.js';
import { teacherLogits } from './teacher-logits.js';

describeBackends(['cpu'], 'teacherLogits', () => {
  it("yields the teacher's logits of ids [start, end) in id order", async () => {
    const data = randomDataset(20, 1);
    const model = tinyModel(3);
    const rows = [];
    for await (const r of teacherLogits(layersTeacher(model, { name: 't' }), data, {
      start: 5,
      end: 12,
      batchSize: 3,
    }))
      rows.push(r);
    expect(rows.flatMap((r) => Array.from(r.ids))).toEqual([5, 6, 7, 8, 9, 10, 11]);
    const expected = tf.tidy(() => {
      const xs = tf.tensor4d(data.images.subarray(5 * 16, 12 * 16), [7, 4, 4, 1]);
      return Array.from((model.predict(xs) as tf.Tensor).dataSync());
    });
    const got = rows.flatMap((r) => Array.from(r.logits));
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 5);
    });
    model.dispose();
  });

  it('refuses ids beyond the dataset', async () => {
    const gen = teacherLogits(layersTeacher(tinyModel(1), { name: 't' }), randomDataset(4, 1), {
      start: 0,
      end: 5,
      batchSize: 2,
    });
    await expect(gen.next()).rejects.toThrow(/exceed the dataset 'random-1' of 4 samples/);
  });

  it('leaks no tensors (teacherLogits and layersTeacher)', async () => {
    const data = randomDataset(10, 2);
    const teacher = layersTeacher(tinyModel(5), { name: 't' });
    await expectNoLeaks(async () => {
      for await (const _ of teacherLogits(teacher, data, { start: 0, end: 10, batchSize: 4 })) {
        // consume
      }
    });
    const xs = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    await expectNoLeaks(() => teacher.logits(xs));
    xs.dispose();
  });
});
