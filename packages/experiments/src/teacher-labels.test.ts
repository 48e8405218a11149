import type { ImageDataset } from '@kdkit/datasets';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { createModel } from '@kdkit/models';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import { evaluate, layersTeacher, type Teacher } from '@kdkit/trainers';
import { beforeAll, expect, it } from 'vitest';
import { teacherLabelled } from './teacher-labels.js';

let test: ImageDataset;
beforeAll(async () => {
  test = await loadFashionMnistMini({ split: 'test', limit: 300 });
});

describeBackends(['cpu'], 'teacherLabelled', () => {
  it("makes accuracy equal trainers' agreement, and is computed once per (teacher, data)", async () => {
    const teacher = createModel('cnn-student', { seed: 1 });
    const student = createModel('cnn-student', { seed: 2 });
    try {
      const relabelled = await teacherLabelled(teacher, test);
      expect(relabelled.size).toBe(test.size);
      expect(relabelled.images).toBe(test.images);
      expect(await teacherLabelled(teacher, test)).toBe(relabelled);
      // Any Teacher gives the same labels (an async one, as an ONNX teacher is).
      const wrapped = layersTeacher(teacher);
      const asyncTeacher: Teacher = { ...wrapped, logits: async (xs) => wrapped.logits(xs) };
      expect((await teacherLabelled(asyncTeacher, test)).labels).toEqual(relabelled.labels);
      const viaLabels = (await evaluate(student, relabelled)).accuracy;
      const viaTrainers = (await evaluate(student, test, { teacher })).agreement;
      expect(viaLabels).toBeCloseTo(viaTrainers ?? Number.NaN, 12);
      expect((await evaluate(teacher, relabelled)).accuracy).toBe(1);
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });

  it('leaks no tensors', async () => {
    const teacher = createModel('cnn-student', { seed: 3 });
    try {
      // A fresh dataset object each call, so the cache does not short-circuit the work.
      await expectNoLeaks(() => teacherLabelled(teacher, { ...test }));
      await expectNoLeaks(() => teacherLabelled(layersTeacher(teacher), { ...test }));
    } finally {
      teacher.dispose();
    }
  });
});
