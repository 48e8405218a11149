import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { toMatrix } from '../test/reference.js';
import { refDkd } from '../test/reference-features.js';
import { createDecoupledKdLoss, decoupledKdLoss, dkdWarmup } from './decoupled-kd.js';
import { getLoss } from './registry.js';

const B = 4;
const C = 6;
const logits = (seed: number) => tf.tensor2d(randomArray(B * C, seed, -4, 4), [B, C]);

describeBackends(['cpu', 'wasm'], 'decoupledKdLoss', () => {
  it('matches a float64 reference of TCKD and NCKD at several T', () => {
    const teacher = logits(1);
    const student = logits(2);
    const targetValues = [0, 5, 2, 2];
    const targets = tf.tensor1d(targetValues, 'int32');
    const t = toMatrix(teacher.dataSync(), B, C);
    const s = toMatrix(student.dataSync(), B, C);
    for (const temperature of [1, 4]) {
      const ref = refDkd(t, s, targetValues, temperature);
      const terms = decoupledKdLoss(
        { student, teacher, labels: targets },
        { alpha: 1, beta: 8, temperature },
      );
      expectAllClose(terms.tckd, ref.tckd, { atol: 1e-5, rtol: 1e-4 });
      expectAllClose(terms.nckd, ref.nckd, { atol: 1e-5, rtol: 1e-4 });
      expectAllClose(terms.total, (ref.tckd + 8 * ref.nckd) * temperature ** 2, {
        atol: 1e-4,
        rtol: 1e-4,
      });
      tf.dispose(terms);
    }
    tf.dispose([teacher, student, targets]);
  });

  it('is 0 when student = teacher and agrees with finite differences', () => {
    const teacher = logits(3);
    const targets = tf.tensor1d([1, 1, 0, 3], 'int32');
    const same = decoupledKdLoss({ student: teacher, teacher, labels: targets });
    expectAllClose(same.total, 0, { atol: 1e-5 });
    const student = logits(4);
    const f = (x: tf.Tensor) =>
      decoupledKdLoss({ student: x as tf.Tensor2D, teacher, labels: targets }, { temperature: 2 })
        .total;
    expectAllClose(analyticGrad(f, student), finiteDifferenceGrad(f, student), {
      atol: 5e-3,
      rtol: 1e-2,
    });
    tf.dispose([teacher, targets, same, student]);
  });

  it('stays finite for extreme logits', () => {
    const teacher = tf.tensor2d([
      [3000, -3000, 0],
      [-2000, 2000, 1999],
    ]);
    const student = tf.tensor2d([
      [-3000, 3000, 0],
      [2000, -2000, 0],
    ]);
    const targets = tf.tensor1d([0, 1], 'int32');
    for (const temperature of [0.05, 100]) {
      const f = (x: tf.Tensor) =>
        decoupledKdLoss({ student: x as tf.Tensor2D, teacher, labels: targets }, { temperature })
          .total;
      const total = f(student);
      expect(Number.isFinite(total.dataSync()[0])).toBe(true);
      expect(analyticGrad(f, student).every(Number.isFinite)).toBe(true);
      total.dispose();
    }
    tf.dispose([teacher, student, targets]);
  });

  it('warms up linearly over epochs in the registered loss', () => {
    expect([0, 4, 19, 50].map((e) => dkdWarmup(e, 20))).toEqual([0.05, 0.25, 1, 1]);
    expect(dkdWarmup(0, 0)).toBe(1);
    const teacherLogits = logits(5);
    const studentLogits = logits(6);
    const labels = tf.tensor1d([2, -1, 0, -1], 'int32');
    const loss = createDecoupledKdLoss({ warmupEpochs: 4, ceWeight: 0 });
    const early = loss.compute({
      student: studentLogits,
      teacher: teacherLogits,
      labels,
      epoch: 0,
      step: 0,
    });
    const late = loss.compute({
      student: studentLogits,
      teacher: teacherLogits,
      labels,
      epoch: 9,
      step: 0,
    });
    const lateDkd = (late.dkd as tf.Scalar).dataSync()[0] ?? 0;
    expectAllClose(early.total, lateDkd / 4, { rtol: 1e-5 });
    // Unlabelled rows use the teacher's top class as the target.
    const top = Array.from(tf.argMax(teacherLogits, 1).dataSync());
    const ref = refDkd(
      toMatrix(teacherLogits.dataSync(), B, C),
      toMatrix(studentLogits.dataSync(), B, C),
      [2, top[1] ?? 0, 0, top[3] ?? 0],
      4,
    );
    expectAllClose(late.total, (ref.tckd + 8 * ref.nckd) * 16, { rtol: 1e-4 });
    tf.dispose([teacherLogits, studentLogits, labels, early, late]);
  });

  it('guards targets and does not leak', async () => {
    const teacher = logits(7);
    const student = logits(8);
    const bad = tf.tensor1d([0, 1, 6, 2], 'int32');
    expect(() => decoupledKdLoss({ student, teacher, labels: bad })).toThrow(
      /'labels' \[4\] holds class id 6/,
    );
    expect(() => getLoss('dkd', { beta: 'eight' } as never)).toThrow(
      /option 'beta' must be a number/,
    );
    expect(() => getLoss('dkd', { ceWeight: -1 })).toThrow(/loss 'dkd'.*'ceWeight'/);
    expect(() => getLoss('dkd', { warmupEpochs: 1.5 })).toThrow(/loss 'dkd'.*'warmupEpochs'/);
    const targets = tf.tensor1d([0, 1, 5, 2], 'int32');
    await expectNoLeaks(() => decoupledKdLoss({ student, teacher, labels: targets }));
    tf.dispose([teacher, student, bad, targets]);
  });
});
