import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { mean, refKl, refSoftmax, sum, toMatrix } from '../test/reference.js';
import { klDivergence } from './kl-divergence.js';

const BATCH = 3;
const CLASSES = 6;
const randomLogits = (seed: number) =>
  tf.tensor2d(randomArray(BATCH * CLASSES, seed, -5, 5), [BATCH, CLASSES]);

describeBackends(['cpu', 'wasm'], 'klDivergence', () => {
  it('matches closed forms', () => {
    const same = randomLogits(1);
    const zero = klDivergence({ student: same, teacher: same }, { temperature: 3 });
    expectAllClose(zero, 0, { atol: 1e-6 });
    // KL([0.25, 0.75] ‖ [0.5, 0.5]) = 0.25 log 0.5 + 0.75 log 1.5.
    const kl = klDivergence({
      student: tf.tensor2d([[1, 1]]),
      teacher: tf.tensor2d([[0, Math.log(3)]]),
    });
    expectAllClose(kl, 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), { atol: 1e-6 });
    tf.dispose([same, zero, kl]);
  });

  it('matches a float64 reference at several T with batchmean, sum and none', () => {
    const teacher = randomLogits(2);
    const student = randomLogits(3);
    const t = toMatrix(teacher.dataSync(), BATCH, CLASSES);
    const s = toMatrix(student.dataSync(), BATCH, CLASSES);
    for (const temperature of [0.5, 1, 4, 16]) {
      const expected = refKl(t, s, temperature);
      const outs = [
        klDivergence({ student, teacher }, { temperature }),
        klDivergence({ student, teacher }, { temperature, reduction: 'sum' }),
        klDivergence({ student, teacher }, { temperature, reduction: 'none' }),
      ];
      expectAllClose(outs[0] as tf.Tensor, mean(expected), { atol: 1e-5, rtol: 1e-4 });
      expectAllClose(outs[1] as tf.Tensor, sum(expected), { atol: 1e-5, rtol: 1e-4 });
      expectAllClose(outs[2] as tf.Tensor, expected, { atol: 1e-5, rtol: 1e-4 });
      tf.dispose(outs);
    }
    tf.dispose([teacher, student]);
  });

  it('has gradient (q^T − p^T) / T and agrees with finite differences', () => {
    const teacher = randomLogits(4);
    const student = randomLogits(5);
    const t = toMatrix(teacher.dataSync(), BATCH, CLASSES);
    const s = toMatrix(student.dataSync(), BATCH, CLASSES);
    const temperature = 2.5;
    const f = (x: tf.Tensor) =>
      klDivergence({ student: x as tf.Tensor2D, teacher }, { temperature, reduction: 'sum' });
    const expected = s.flatMap((row, r) => {
      const p = refSoftmax(t[r] ?? [], temperature);
      return refSoftmax(row, temperature).map((q, i) => (q - (p[i] ?? 0)) / temperature);
    });
    const grad = analyticGrad(f, student);
    expectAllClose(grad, expected, { atol: 1e-6 });
    expectAllClose(grad, finiteDifferenceGrad(f, student), { atol: 2e-3 });
    tf.dispose([teacher, student]);
  });

  it('stays finite for extreme logits', () => {
    const teacher = tf.tensor2d([[2000, -2000, 0]]);
    const student = tf.tensor2d([[-2000, 2000, 5]]);
    for (const temperature of [0.05, 100]) {
      const f = (x: tf.Tensor) =>
        klDivergence({ student: x as tf.Tensor2D, teacher }, { temperature });
      const loss = f(student);
      expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
      expect(analyticGrad(f, student).every(Number.isFinite)).toBe(true);
      loss.dispose();
    }
    tf.dispose([teacher, student]);
  });

  it('rejects probabilities and bad shapes', () => {
    const a = randomLogits(6);
    const probs = tf.softmax(a) as tf.Tensor2D;
    expect(() => klDivergence({ student: a, teacher: probs })).toThrow(
      /klDivergence: 'teacher'.*looks like probabilities/,
    );
    expect(() =>
      klDivergence({ student: tf.zeros([BATCH, 2]) as tf.Tensor2D, teacher: a }),
    ).toThrow(/class mismatch/);
    tf.dispose([a, probs]);
  });

  it('does not leak', async () => {
    const teacher = randomLogits(7);
    const student = randomLogits(8);
    await expectNoLeaks(() => klDivergence({ student, teacher }, { temperature: 4 }));
    tf.dispose([teacher, student]);
  });
});
