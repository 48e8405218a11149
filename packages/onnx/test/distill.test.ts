// A kdkit student distils from the PyTorch teacher fixture, through the Teacher contract.
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { createModel } from '@kdkit/models';
import { describeBackends } from '@kdkit/test-utils';
import { distill, evaluate } from '@kdkit/trainers';
import { expect, it } from 'vitest';
import { onnxTeacher } from '../src/node/index.js';
import { MODEL_PATH, reference } from './fixture.js';

describeBackends(['wasm'], 'distilling from an ONNX teacher exported from PyTorch', () => {
  it('a cnn-student learns to agree with the teacher; its logits are cached like any teacher’s', async () => {
    const train = await loadFashionMnistMini({ split: 'train', limit: 512 });
    const test = await loadFashionMnistMini({ split: 'test', limit: 200 });
    const teacher = await onnxTeacher(MODEL_PATH, { name: 'fashion-cnn', layout: 'nchw' });
    const student = createModel('cnn-student', { seed: 3 });
    // The untrained student agrees with the teacher about as often as chance.
    const before = await evaluate(student, test, { teacher });
    const { teacherCache } = await distill({
      teacher,
      student,
      train,
      epochs: 3,
      batchSize: 64,
      optimizer: { name: 'adam', learningRate: 3e-3 },
      seed: 3,
    });
    expect(teacherCache).toMatchObject({ hits: 1024, misses: 512 });
    const after = await evaluate(student, test, { teacher });
    console.log(
      `ONNX teacher (PyTorch test accuracy ${reference.testAccuracy}) → cnn-student, 24 steps on 512 images: agreement ${before.agreement?.toFixed(3)} → ${after.agreement?.toFixed(3)}, accuracy ${after.accuracy.toFixed(3)}`,
    );
    expect(after.agreement).toBeGreaterThan((before.agreement ?? 0) + 0.25);
    teacher.dispose?.();
    student.dispose();
  });
});
