// Offline KD from a store equals KD from the live teacher with the cache, bit for bit.
import { rm } from 'node:fs/promises';
import { describeBackends } from '@kdkit/test-utils';
import { distill, layersTeacher, TeacherCache } from '@kdkit/trainers';
import { expect, it } from 'vitest';
import { mergeStore, softTargetStore, writeShard } from '../src/node/index.js';
import { storeTeacher } from '../src/store-teacher.js';
import { randomDataset, tempDir, tinyModel } from './fixtures.js';

const weightBits = (model: ReturnType<typeof tinyModel>) =>
  model
    .getWeights()
    .map((w) => Array.from(new Uint32Array(Float32Array.from(w.dataSync()).buffer)));

describeBackends(['cpu'], 'distill from a soft-target store', () => {
  it('gives the same student as the live teacher with the cache, bit for bit', async () => {
    const train = randomDataset(64, 12);
    const teacher = tinyModel(31, 10, 24);
    const options = {
      train,
      epochs: 2,
      batchSize: 16,
      seed: 5,
      loss: 'hinton',
      lossOptions: { temperature: 4, alpha: 0.7 },
      optimizer: { name: 'adam' as const, learningRate: 0.01 },
    };

    const live = tinyModel(41, 10, 8);
    await distill({ ...options, teacher, student: live, teacherCache: new TeacherCache(64, 10) });

    const dir = await tempDir('distill');
    for (const shard of [0, 1]) {
      await writeShard({
        teacher: layersTeacher(teacher, { name: 'tiny' }),
        teacherHash: 'h',
        dataset: train,
        shard,
        of: 2,
        out: dir,
        batchSize: 16,
      });
    }
    await mergeStore(dir);
    const store = await softTargetStore(dir);
    const cache = new TeacherCache(64, 10);
    await store.fillCache(cache);
    // distill still asks for a model of the teacher's signature: a decoy with other weights,
    // which the full cache never calls (no misses).
    const decoy = tinyModel(99, 10, 24);
    const offline = tinyModel(41, 10, 8);
    const result = await distill({
      ...options,
      teacher: decoy,
      student: offline,
      teacherCache: cache,
    });
    expect(result.teacherCache?.misses).toBe(0);
    expect(weightBits(offline)).toEqual(weightBits(live));

    // The store as a Teacher (no decoy model): the same student again.
    const fromStore = storeTeacher(store, train);
    const adapted = await fromStore;
    const viaTeacher = tinyModel(41, 10, 8);
    const again = await distill({
      ...options,
      teacher: adapted.teacher,
      student: viaTeacher,
      teacherCache: adapted.cache,
    });
    expect(again.teacherCache?.misses).toBe(0);
    expect(weightBits(viaTeacher)).toEqual(weightBits(live));
    expect(() => adapted.teacher.logits(train.images as never)).toThrow(/by dataset index only/);
    await expect(storeTeacher(store, randomDataset(63, 12))).rejects.toThrow(
      /holds logits of 10 classes for dataset .* \(64 samples\), but the training set .* has 63 samples/,
    );

    await rm(dir, { recursive: true, force: true });
    for (const m of [teacher, live, decoy, offline, viaTeacher]) m.dispose();
  });
});
