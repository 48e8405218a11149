import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { isKdkitError } from '@kdkit/engine';
import { listPretrained } from '@kdkit/pretrained/node';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { loadPretrainedPairTeacher, pretrainedPairTeacherKey } from './pretrained-teacher.js';

describeBackends(['cpu'], 'a pair with a shipped teacher', () => {
  it('loads pretrained:cnn-teacher for the mini set, keyed by its model.json SHA-256', async () => {
    const train = await loadFashionMnistMini({ split: 'train', limit: 8 });
    const entry = (await listPretrained()).find(
      (t) => t.model === 'cnn-teacher' && t.dataset === 'fashion-mnist',
    );
    const modelJson = entry?.files.find((f) => f.path === `${entry.id}/model.json`);
    const teacher = await loadPretrainedPairTeacher('pretrained:cnn-teacher', train);
    try {
      expect(teacher).toMatchObject({
        fromStore: true,
        path: `pretrained:${entry?.id}`,
        storeKey: modelJson?.sha256.slice(0, 16),
        seconds: entry?.trainingSeconds,
      });
      expect(await pretrainedPairTeacherKey('pretrained:cnn-teacher', train)).toBe(
        teacher.storeKey,
      );
      await expectNoLeaks(() => {
        const xs = tf.tensor4d(train.images, [train.size, ...train.shape]);
        const logits = teacher.model.predict(xs) as tf.Tensor;
        expect(logits.shape).toEqual([8, 10]);
        tf.dispose([xs, logits]);
      });
    } finally {
      teacher.model.dispose();
    }
  });

  it('a pinned teacher keys its runs by the pin, and refuses to load other weights', async () => {
    const train = await loadFashionMnistMini({ split: 'train', limit: 1 });
    const current = await pretrainedPairTeacherKey('pretrained:cnn-teacher', train);
    const other = current.startsWith('0') ? '1'.repeat(16) : '0'.repeat(16);
    // --stored-only needs only the key: the runs made with replaced weights stay readable.
    expect(await pretrainedPairTeacherKey(`pretrained:cnn-teacher@${other}`, train)).toBe(other);
    const before = tf.memory().numTensors;
    const error = await loadPretrainedPairTeacher(`pretrained:cnn-teacher@${other}`, train).catch(
      (e) => e,
    );
    expect(isKdkitError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(error)).toMatch(
      new RegExp(
        `pins weights ${other}, but the shipped cnn-teacher.* has weights ${current}.*--stored-only`,
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
    const pinned = await loadPretrainedPairTeacher(`pretrained:cnn-teacher@${current}`, train);
    expect(pinned.storeKey).toBe(current);
    pinned.model.dispose();
    const typo = await pretrainedPairTeacherKey(`pretrained:cnn-techer@${other}`, train).catch(
      (e) => e,
    );
    expect(isKdkitError(typo, 'UNKNOWN_NAME')).toBe(true);
  });

  it('an unknown shipped teacher lists the shipped ones', async () => {
    const train = await loadFashionMnistMini({ split: 'train', limit: 1 });
    const error = await loadPretrainedPairTeacher('pretrained:nosuch', train).catch((e) => e);
    expect(isKdkitError(error, 'UNKNOWN_NAME')).toBe(true);
    expect(String(error)).toMatch(/cnn-teacher/);
  });
});
