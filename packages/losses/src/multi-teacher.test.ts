import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { mean, refLogSoftmax, refSoftmax, toMatrix } from '../test/reference.js';
import { createMultiTeacherLoss, multiTeacherLoss } from './multi-teacher.js';
import { softCrossEntropy } from './soft-cross-entropy.js';

const B = 3;
const C = 5;
const logits = (seed: number, scale = 4) =>
  tf.tensor2d(randomArray(B * C, seed, -scale, scale), [B, C]);

describeBackends(['cpu', 'wasm'], 'multiTeacherLoss', () => {
  it('equals softCrossEntropy for one teacher', () => {
    const teacher = logits(1);
    const student = logits(2);
    const multi = multiTeacherLoss({ student, teachers: [teacher] }, { temperature: 3 });
    const single = softCrossEntropy({ student, teacher }, { temperature: 3 });
    expectAllClose(multi, single.dataSync(), { atol: 1e-6 });
    tf.dispose([teacher, student, multi, single]);
  });

  it('averages probabilities (weighted), not logits, against a float64 reference', () => {
    const a = logits(3, 8);
    const b = logits(4, 8);
    const student = logits(5);
    const [ta, tb, s] = [a, b, student].map((x) => toMatrix(x.dataSync(), B, C)) as [
      number[][],
      number[][],
      number[][],
    ];
    const temperature = 2;
    const weights = [3, 1];
    const expected = s.map((row, r) => {
      const pa = refSoftmax(ta[r] ?? [], temperature);
      const pb = refSoftmax(tb[r] ?? [], temperature);
      const mix = pa.map((p, i) => 0.75 * p + 0.25 * (pb[i] ?? 0));
      const logQ = refLogSoftmax(row, temperature);
      return {
        ce: -mix.reduce((acc, p, i) => acc + p * (logQ[i] ?? 0), 0),
        kl: mix.reduce((acc, p, i) => acc + p * (Math.log(p) - (logQ[i] ?? 0)), 0),
      };
    });
    const ce = multiTeacherLoss(
      { student, teachers: [a, b] },
      { temperature, weights, reduction: 'none' },
    );
    const kl = multiTeacherLoss(
      { student, teachers: [a, b] },
      { temperature, weights, soft: 'kl' },
    );
    expectAllClose(
      ce,
      expected.map((e) => e.ce),
      { atol: 1e-5 },
    );
    expectAllClose(kl, mean(expected.map((e) => e.kl)), { atol: 1e-5 });
    // Averaging logits would give a different target.
    const logitMean = tf.div(tf.add(tf.mul(a, 3), b), 4) as tf.Tensor2D;
    const wrong = softCrossEntropy(
      { student, teacher: logitMean },
      { temperature, reduction: 'none' },
    );
    expect(
      Math.max(...Array.from(wrong.dataSync(), (v, i) => Math.abs(v - (expected[i]?.ce ?? 0)))),
    ).toBeGreaterThan(1e-3);
    const f = (x: tf.Tensor) =>
      multiTeacherLoss({ student: x as tf.Tensor2D, teachers: [a, b] }, { temperature, weights });
    expectAllClose(analyticGrad(f, student), finiteDifferenceGrad(f, student), { atol: 2e-3 });
    tf.dispose([a, b, student, ce, kl, logitMean, wrong]);
  });

  it('stays finite for extreme logits', () => {
    const a = tf.tensor2d([[3000, -3000, 0]]);
    const b = tf.tensor2d([[-3000, 3000, 0]]);
    const student = tf.tensor2d([[0, -2500, 2500]]);
    for (const temperature of [0.05, 100]) {
      const f = (x: tf.Tensor) =>
        multiTeacherLoss(
          { student: x as tf.Tensor2D, teachers: [a, b] },
          { temperature, soft: 'kl' },
        );
      const out = f(student);
      expect(Number.isFinite(out.dataSync()[0])).toBe(true);
      expect(analyticGrad(f, student).every(Number.isFinite)).toBe(true);
      out.dispose();
    }
    tf.dispose([a, b, student]);
  });

  it('guards teachers and weights, reads ctx.teachers, and does not leak', async () => {
    const a = logits(6);
    const student = logits(7);
    expect(() => multiTeacherLoss({ student, teachers: [] })).toThrow(
      /'teachers' must be a non-empty list/,
    );
    expect(() => multiTeacherLoss({ student, teachers: [a] }, { weights: [1, 2] })).toThrow(
      /'weights' has 2 entries but there are 1 teachers/,
    );
    expect(() => multiTeacherLoss({ student, teachers: [a, a] }, { weights: [0, 0] })).toThrow(
      /must not all be 0/,
    );
    expect(() =>
      multiTeacherLoss({ student, teachers: [a, tf.zeros([B, 2]) as tf.Tensor2D] }),
    ).toThrow(/'teachers\[1\]'.*class mismatch|class mismatch.*teachers\[1\]/);
    const loss = createMultiTeacherLoss({ alpha: 1, temperature: 2 });
    const terms = loss.compute({
      student: student,
      teachers: [a, a],
      epoch: 0,
      step: 0,
    });
    const ref = softCrossEntropy({ student, teacher: a }, { temperature: 2 });
    expectAllClose(terms.total, (ref.dataSync()[0] ?? 0) * 4, { rtol: 1e-5 });
    tf.dispose([terms, ref]);
    await expectNoLeaks(() =>
      multiTeacherLoss({ student, teachers: [a, student] }, { weights: [1, 2] }),
    );
    tf.dispose([a, student]);
  });
});
