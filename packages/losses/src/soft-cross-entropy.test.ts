import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { mean, refSoftCrossEntropy, refSoftmax, sum, toMatrix } from '../test/reference.js';
import { softCrossEntropy } from './soft-cross-entropy.js';

const BATCH = 4;
const CLASSES = 5;

function randomLogits(seed: number, scale = 5): tf.Tensor2D {
  return tf.tensor2d(randomArray(BATCH * CLASSES, seed, -scale, scale), [BATCH, CLASSES]);
}

describeBackends(['cpu', 'wasm'], 'softCrossEntropy', () => {
  it('matches a closed form', () => {
    // Uniform student over 4 classes: −Σ p log(1/4) = log 4 for any teacher.
    const teacher = tf.tensor2d([[3, 1, 0, -2]]);
    const student = tf.zeros([1, 4]) as tf.Tensor2D;
    const loss = softCrossEntropy({ student, teacher }, { temperature: 2 });
    expectAllClose(loss, Math.log(4), { atol: 1e-6 });
    // Teacher = student: the teacher's entropy, here of [0.25, 0.75].
    const same = tf.tensor2d([[0, Math.log(3)]]);
    const entropy = softCrossEntropy({ student: same, teacher: same });
    expectAllClose(entropy, -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), { atol: 1e-6 });
    tf.dispose([teacher, student, loss, same, entropy]);
  });

  it('matches a float64 reference over random logits at several T, for each reduction', () => {
    const teacher = randomLogits(1);
    const student = randomLogits(2);
    const t = toMatrix(teacher.dataSync(), BATCH, CLASSES);
    const s = toMatrix(student.dataSync(), BATCH, CLASSES);
    for (const temperature of [0.5, 1, 2, 4, 10]) {
      const expected = refSoftCrossEntropy(t, s, temperature);
      const none = softCrossEntropy({ student, teacher }, { temperature, reduction: 'none' });
      const avg = softCrossEntropy({ student, teacher }, { temperature });
      const total = softCrossEntropy({ student, teacher }, { temperature, reduction: 'sum' });
      expect(none.shape).toEqual([BATCH]);
      expect(avg.shape).toEqual([]);
      expectAllClose(none, expected, { atol: 1e-5, rtol: 1e-5 });
      expectAllClose(avg, mean(expected), { atol: 1e-5, rtol: 1e-5 });
      expectAllClose(total, sum(expected), { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([none, avg, total]);
    }
    tf.dispose([teacher, student]);
  });

  it('has gradient exactly (q^T − p^T) / T with respect to the student logits', () => {
    const teacher = randomLogits(3);
    const student = randomLogits(4);
    const t = toMatrix(teacher.dataSync(), BATCH, CLASSES);
    const s = toMatrix(student.dataSync(), BATCH, CLASSES);
    for (const temperature of [1, 3, 8]) {
      const expected = s.map((row, r) => {
        const q = refSoftmax(row, temperature);
        const p = refSoftmax(t[r] ?? [], temperature);
        return q.map((qi, i) => (qi - (p[i] ?? 0)) / temperature);
      });
      const grad = analyticGrad(
        (x) =>
          softCrossEntropy(
            { student: x as tf.Tensor2D, teacher },
            { temperature, reduction: 'sum' },
          ),
        student,
      );
      expectAllClose(grad, expected.flat(), { atol: 1e-6 });
      const meanGrad = analyticGrad(
        (x) => softCrossEntropy({ student: x as tf.Tensor2D, teacher }, { temperature }),
        student,
      );
      expectAllClose(
        meanGrad,
        expected.flat().map((g) => g / BATCH),
        { atol: 1e-6 },
      );
    }
    tf.dispose([teacher, student]);
  });

  it('agrees with finite differences', () => {
    const teacher = randomLogits(5);
    const student = randomLogits(6);
    const f = (x: tf.Tensor) =>
      softCrossEntropy({ student: x as tf.Tensor2D, teacher }, { temperature: 2 });
    expectAllClose(analyticGrad(f, student), finiteDifferenceGrad(f, student), { atol: 2e-3 });
    tf.dispose([teacher, student]);
  });

  it('stays finite (value and gradient) for extreme logits, T from 0.05 to 100', () => {
    const teacher = tf.tensor2d([
      [3000, -3000, 10, 2999],
      [-2500, 2500, -2500, 0],
    ]);
    const student = tf.tensor2d([
      [-3000, 3000, 0, -1],
      [2500, -2500, 1000, 0],
    ]);
    for (const temperature of [0.05, 1, 4, 100]) {
      const f = (x: tf.Tensor) =>
        softCrossEntropy({ student: x as tf.Tensor2D, teacher }, { temperature });
      const loss = f(student);
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      expect(analyticGrad(f, student).every(Number.isFinite)).toBe(true);
      loss.dispose();
    }
    tf.dispose([teacher, student]);
  });

  it('names the argument and shapes on bad input', () => {
    const a = randomLogits(7);
    const b = tf.zeros([3, CLASSES]) as tf.Tensor2D;
    const c = tf.zeros([BATCH, 3]) as tf.Tensor2D;
    const probs = tf.softmax(a) as tf.Tensor2D;
    expect(() => softCrossEntropy({ student: b, teacher: a })).toThrow(
      /batch mismatch: 'teacher' \[4, 5\].*'student' \[3, 5\]/,
    );
    expect(() => softCrossEntropy({ student: c, teacher: a })).toThrow(/class mismatch/);
    expect(() => softCrossEntropy({ student: a, teacher: a }, { temperature: -1 })).toThrow(
      /'temperature'/,
    );
    expect(() =>
      softCrossEntropy({ student: a, teacher: a }, { reduction: 'avg' as 'mean' }),
    ).toThrow(/'reduction' must be one of/);
    expect(() => softCrossEntropy({ student: a, teacher: probs })).toThrow(
      /'teacher' \[4, 5\] looks like probabilities/,
    );
    expect(() => softCrossEntropy({ student: probs, teacher: a })).toThrow(
      /'student'.*looks like probabilities/,
    );
    tf.dispose([
      a,
      b,
      c,
      probs,
      softCrossEntropy({ student: a, teacher: probs }, { allowProbabilities: true }),
    ]);
  });

  it('does not leak, with or without a gradient', async () => {
    const teacher = randomLogits(8);
    const student = randomLogits(9);
    await expectNoLeaks(() => softCrossEntropy({ student, teacher }, { temperature: 4 }));
    await expectNoLeaks(() =>
      tf.grad(
        (x: tf.Tensor) =>
          softCrossEntropy({ student: x as tf.Tensor2D, teacher }, { temperature: 4 }) as tf.Scalar,
      )(student),
    );
    tf.dispose([teacher, student]);
  });
});
