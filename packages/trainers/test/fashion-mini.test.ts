// End to end on real images: the Fashion-MNIST mini set, zoo models, the wasm backend.
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { createModel } from '@kdkit/models';
import { describeBackends } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import { distill } from '../src/distill.js';
import { evaluate } from '../src/evaluate.js';
import { trainSupervised } from '../src/train-supervised.js';
import { disposeModels } from './fixtures.js';

describeBackends(['wasm'], 'Fashion-MNIST mini, zoo CNNs', () => {
  it('a teacher learns on labels; a student distilled from it agrees with it', async () => {
    const train = await loadFashionMnistMini({ split: 'train', limit: 600 });
    const test = await loadFashionMnistMini({ split: 'test', limit: 200 });
    const teacher = createModel('cnn-student', { seed: 1 });
    const supervised = await trainSupervised({
      model: teacher,
      train,
      epochs: 3,
      batchSize: 32,
      optimizer: { name: 'adam', learningRate: 3e-3 },
      seed: 1,
    });
    const first = supervised.history[0]?.losses['total'] ?? 0;
    expect(supervised.history[2]?.losses['total']).toBeLessThan(first);
    const taught = await evaluate(teacher, test);
    expect(taught.accuracy).toBeGreaterThan(0.5); // chance is 0.1

    const student = createModel('mlp-800', { seed: 2 });
    const before = await evaluate(student, test, { teacher });
    const { teacherCache } = await distill({
      teacher,
      student,
      train,
      epochs: 2,
      batchSize: 32,
      optimizer: { name: 'adam', learningRate: 1e-3 },
      seed: 2,
    });
    expect(teacherCache).toMatchObject({ hits: 600, misses: 600 });
    const after = await evaluate(student, test, { teacher });
    expect(after.agreement).toBeGreaterThan(Math.max(0.5, (before.agreement ?? 0) + 0.2));
    disposeModels(teacher, student);
  });
});
