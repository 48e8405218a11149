import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import {
  mean,
  refHardCrossEntropy,
  refKl,
  refSoftCrossEntropy,
  refSoftmax,
  sum,
  toMatrix,
} from '../test/reference.js';
import { distillationLoss } from './distillation-loss.js';

const BATCH = 4;
const CLASSES = 5;
const randomLogits = (seed: number) =>
  tf.tensor2d(randomArray(BATCH * CLASSES, seed, -5, 5), [BATCH, CLASSES]);

describeBackends(['cpu', 'wasm'], 'distillationLoss', () => {
  it('combines alpha · T² · soft + (1 − alpha) · hard against a float64 reference', () => {
    const teacherLogits = randomLogits(1);
    const studentLogits = randomLogits(2);
    const labelValues = [0, 4, 2, 2];
    const labels = tf.tensor1d(labelValues, 'int32');
    const t = toMatrix(teacherLogits.dataSync(), BATCH, CLASSES);
    const s = toMatrix(studentLogits.dataSync(), BATCH, CLASSES);
    for (const [temperature, alpha, soft] of [
      [4, 0.9, 'cross-entropy'],
      [2, 0.5, 'kl'],
      [1, 0, 'kl'],
    ] as const) {
      const terms = distillationLoss(
        { student: studentLogits, teacher: teacherLogits, labels },
        { temperature, alpha, soft },
      );
      const softRef = mean(
        soft === 'kl' ? refKl(t, s, temperature) : refSoftCrossEntropy(t, s, temperature),
      );
      const hardRef = mean(refHardCrossEntropy(labelValues, s));
      expectAllClose(terms.soft, softRef, { atol: 1e-5, rtol: 1e-5 });
      expectAllClose(terms.hard, hardRef, { atol: 1e-5, rtol: 1e-5 });
      expectAllClose(terms.total, alpha * temperature ** 2 * softRef + (1 - alpha) * hardRef, {
        atol: 1e-4,
        rtol: 1e-5,
      });
      tf.dispose(terms);
    }
    tf.dispose([teacherLogits, studentLogits, labels]);
  });

  it('uses the defaults T = 4, alpha = 0.9 and gives unlabelled examples only the soft term', () => {
    const teacherLogits = randomLogits(3);
    const studentLogits = randomLogits(4);
    const labelValues = [-1, 3, -1, -1];
    const labels = tf.tensor1d(labelValues, 'int32');
    const s = toMatrix(studentLogits.dataSync(), BATCH, CLASSES);
    const t = toMatrix(teacherLogits.dataSync(), BATCH, CLASSES);
    const terms = distillationLoss({ student: studentLogits, teacher: teacherLogits, labels });
    const hardRef = sum(refHardCrossEntropy(labelValues, s));
    const softRef = mean(refSoftCrossEntropy(t, s, 4));
    expectAllClose(terms.hard, hardRef, { atol: 1e-5 });
    expectAllClose(terms.total, 0.9 * 16 * softRef + 0.1 * hardRef, { atol: 1e-4 });
    const none = tf.tensor1d([-1, -1, -1, -1], 'int32');
    const soft = distillationLoss({ student: studentLogits, teacher: teacherLogits, labels: none });
    expectAllClose(soft.hard, 0);
    expectAllClose(soft.total, 0.9 * 16 * softRef, { atol: 1e-4 });
    tf.dispose([teacherLogits, studentLogits, labels, none, terms, soft]);
  });

  it('has the gradient alpha·T·(q^T − p^T) + (1 − alpha)(q − y), matching finite differences', () => {
    const teacherLogits = randomLogits(5);
    const studentLogits = randomLogits(6);
    const labelValues = [1, 0, 4, 3];
    const labels = tf.tensor1d(labelValues, 'int32');
    const [temperature, alpha] = [3, 0.7];
    const f = (x: tf.Tensor) =>
      distillationLoss(
        { student: x as tf.Tensor2D, teacher: teacherLogits, labels },
        { temperature, alpha },
      ).total;
    const t = toMatrix(teacherLogits.dataSync(), BATCH, CLASSES);
    const expected = toMatrix(studentLogits.dataSync(), BATCH, CLASSES).flatMap((row, r) => {
      const q = refSoftmax(row, temperature);
      const p = refSoftmax(t[r] ?? [], temperature);
      const q1 = refSoftmax(row, 1);
      return q.map(
        (qi, i) =>
          (alpha * temperature * (qi - (p[i] ?? 0)) +
            (1 - alpha) * ((q1[i] ?? 0) - (i === labelValues[r] ? 1 : 0))) /
          BATCH,
      );
    });
    const grad = analyticGrad(f, studentLogits);
    expectAllClose(grad, expected, { atol: 1e-5 });
    expectAllClose(grad, finiteDifferenceGrad(f, studentLogits), { atol: 5e-3 });
    tf.dispose([teacherLogits, studentLogits, labels]);
  });

  it('stays finite for extreme logits and temperatures', () => {
    const teacherLogits = tf.tensor2d([
      [4000, -4000, 0],
      [-1000, 1000, 999],
    ]);
    const studentLogits = tf.tensor2d([
      [-4000, 4000, 0],
      [3000, -3000, 0],
    ]);
    const labels = tf.tensor1d([1, -1], 'int32');
    for (const temperature of [0.05, 1, 100]) {
      for (const soft of ['cross-entropy', 'kl'] as const) {
        const f = (x: tf.Tensor) =>
          distillationLoss(
            { student: x as tf.Tensor2D, teacher: teacherLogits, labels },
            { temperature, soft },
          ).total;
        const total = f(studentLogits);
        expect(Number.isFinite(total.dataSync()[0])).toBe(true);
        expect(analyticGrad(f, studentLogits).every(Number.isFinite)).toBe(true);
        total.dispose();
      }
    }
    tf.dispose([teacherLogits, studentLogits, labels]);
  });

  it('guards its arguments', () => {
    const teacherLogits = randomLogits(7);
    const studentLogits = randomLogits(8);
    const labels = tf.tensor1d([0, 1, 2, 9], 'int32');
    const ok = tf.tensor1d([0, 1, 2, 3], 'int32');
    const probs = tf.softmax(teacherLogits) as tf.Tensor2D;
    expect(() =>
      distillationLoss({ student: studentLogits, teacher: teacherLogits, labels }),
    ).toThrow(/class id 9/);
    expect(() =>
      distillationLoss(
        { student: studentLogits, teacher: teacherLogits, labels: ok },
        { alpha: 1.5 },
      ),
    ).toThrow(/'alpha' must be in \[0, 1\]/);
    expect(() =>
      distillationLoss(
        { student: studentLogits, teacher: teacherLogits, labels: ok },
        { temperature: 0 },
      ),
    ).toThrow(/'temperature'/);
    expect(() =>
      distillationLoss(
        { student: studentLogits, teacher: teacherLogits, labels: ok },
        { soft: 'mse' as 'kl' },
      ),
    ).toThrow(/'soft' must be one of/);
    expect(() => distillationLoss({ student: studentLogits, teacher: probs, labels: ok })).toThrow(
      /distillationLoss: 'teacher' \[4, 5\] looks like probabilities/,
    );
    expect(() => distillationLoss({ student: studentLogits, teacher: teacherLogits })).toThrow(
      /'labels' is missing/,
    );
    const allowed = distillationLoss(
      { student: studentLogits, teacher: probs, labels: ok },
      { allowProbabilities: true },
    );
    const noLabels = distillationLoss(
      { student: studentLogits, teacher: teacherLogits },
      { alpha: 1 },
    );
    tf.dispose([teacherLogits, studentLogits, labels, ok, probs, allowed, noLabels]);
  });

  it('does not leak, with or without a gradient', async () => {
    const teacherLogits = randomLogits(9);
    const studentLogits = randomLogits(10);
    const labels = tf.tensor1d([0, -1, 2, 3], 'int32');
    await expectNoLeaks(() =>
      distillationLoss({ student: studentLogits, teacher: teacherLogits, labels }),
    );
    await expectNoLeaks(() =>
      tf.grad(
        (x: tf.Tensor) =>
          distillationLoss({ student: x as tf.Tensor2D, teacher: teacherLogits, labels }).total,
      )(studentLogits),
    );
    tf.dispose([teacherLogits, studentLogits, labels]);
  });
});
