import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { DIST_DEFAULTS, distLoss } from './dist.js';
import { getLoss } from './registry.js';

/** Float64 reference: rows of p = softmax(z / T), then 1 − Pearson correlation, averaged. */
function reference(student: number[][], teacher: number[][], t: number, beta = 1, gamma = 1) {
  const softmax = (row: number[]) => {
    const max = Math.max(...row.map((v) => v / t));
    const e = row.map((v) => Math.exp(v / t - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  const pearson = (a: number[], b: number[]) => {
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    const ma = mean(a);
    const mb = mean(b);
    let ab = 0;
    let aa = 0;
    let bb = 0;
    a.forEach((v, i) => {
      const w = (b[i] ?? 0) - mb;
      ab += (v - ma) * w;
      aa += (v - ma) ** 2;
      bb += w ** 2;
    });
    return ab / Math.sqrt(aa * bb);
  };
  const ps = student.map(softmax);
  const pt = teacher.map(softmax);
  const columns = (p: number[][]) => (p[0] ?? []).map((_, j) => p.map((row) => row[j] ?? 0));
  const decorrelation = (a: number[][], b: number[][]) =>
    a.reduce((s, row, i) => s + 1 - pearson(row, b[i] ?? []), 0) / a.length;
  const inter = decorrelation(ps, pt);
  const intra = decorrelation(columns(ps), columns(pt));
  return { inter, intra, total: t * t * (beta * inter + gamma * intra) };
}

const rows = (values: Float32Array, width: number) =>
  Array.from({ length: values.length / width }, (_, i) =>
    Array.from(values.subarray(i * width, (i + 1) * width)),
  );

describeBackends(['cpu', 'wasm'], 'distLoss', () => {
  it('matches the float64 reference at T = 1 and T = 4, with its weights', () => {
    const s = randomArray(24, 1, -3, 3);
    const t = randomArray(24, 2, -3, 3);
    const student = tf.tensor2d(s, [4, 6]);
    const teacher = tf.tensor2d(t, [4, 6]);
    for (const [temperature, beta, gamma] of [
      [1, 1, 1],
      [4, 2, 0.5],
    ] as const) {
      const expected = reference(rows(s, 6), rows(t, 6), temperature, beta, gamma);
      const terms = distLoss({ student, teacher }, { temperature, beta, gamma });
      expectAllClose(terms.inter, expected.inter, { atol: 1e-5 });
      expectAllClose(terms.intra, expected.intra, { atol: 1e-5 });
      expectAllClose(terms.total, expected.total, { atol: 1e-4 });
      tf.dispose([terms.total, terms.inter, terms.intra]);
    }
    tf.dispose([student, teacher]);
  });

  it('is 0 for a student equal to the teacher and 2 for perfectly anti-correlated relations', () => {
    const teacher = tf.tensor2d([
      [2, 0],
      [0, 2],
    ]);
    const equal = distLoss({ student: teacher, teacher });
    expectAllClose(equal.total, 0, { atol: 1e-6 });
    // Two classes: the centred rows are ±(p − ½), so swapping the logits flips every sign.
    const swapped = tf.tensor2d([
      [0, 2],
      [2, 0],
    ]);
    const opposite = distLoss({ student: swapped, teacher });
    expectAllClose(opposite.inter, 2, { atol: 1e-6 });
    expectAllClose(opposite.intra, 2, { atol: 1e-6 });
    tf.dispose([teacher, swapped, equal.total, equal.inter, equal.intra]);
    tf.dispose([opposite.total, opposite.inter, opposite.intra]);
  });

  it('has gradients matching finite differences, finite for constant (uniform) rows', () => {
    const teacher = tf.tensor2d(randomArray(15, 3, -2, 2), [3, 5]);
    const student = tf.tensor2d(randomArray(15, 4, -2, 2), [3, 5]);
    const f = (x: tf.Tensor) =>
      distLoss({ student: x as tf.Tensor2D, teacher }, { temperature: 2 }).total;
    expectAllClose(analyticGrad(f, student), finiteDifferenceGrad(f, student), { atol: 2e-3 });
    const uniform = tf.zeros([3, 5]) as tf.Tensor2D;
    const grad = analyticGrad(f, uniform);
    expect(Array.from(grad).every(Number.isFinite)).toBe(true);
    tf.dispose([teacher, student, uniform]);
  });

  it('guards its inputs and does not leak', async () => {
    const teacher = tf.tensor2d(randomArray(12, 5, -3, 3), [3, 4]);
    const probs = tf.softmax(teacher) as tf.Tensor2D;
    expect(() => distLoss({ student: teacher, teacher: probs })).toThrow(
      /distLoss: 'teacher'.*looks like probabilities/,
    );
    expect(() => distLoss({ student: tf.zeros([2, 4]) as tf.Tensor2D, teacher })).toThrow(
      /batch mismatch/,
    );
    expect(() => distLoss({ student: teacher, teacher }, { temperature: 0 })).toThrow(
      /distLoss: 'temperature'/,
    );
    expect(() => distLoss({ student: teacher, teacher }, { gama: 1 } as never)).toThrow(/gamma/);
    expect(() => getLoss('dist', { ceWeight: -1 })).toThrow(/loss 'dist'.*'ceWeight'/);
    await expectNoLeaks(() => {
      const { total, inter, intra } = distLoss({ student: teacher, teacher });
      tf.dispose([total, inter, intra]);
    });
    tf.dispose([teacher, probs]);
  });

  it("registered 'dist': CE on labelled examples plus the DIST term, no leaks", async () => {
    const s = randomArray(12, 6, -3, 3);
    const t = randomArray(12, 7, -3, 3);
    const student = tf.tensor2d(s, [3, 4]);
    const teacher = tf.tensor2d(t, [3, 4]);
    const labels = tf.tensor1d([1, -1, 3], 'int32');
    const loss = getLoss('dist', { ceWeight: 0.5, beta: 2 });
    const ctx = { student, teacher, labels, epoch: 0, step: 0 };
    const terms = loss.compute(ctx);
    const expected = reference(rows(s, 4), rows(t, 4), DIST_DEFAULTS.temperature, 2, 1);
    const hard = (terms as Record<string, tf.Tensor>)['hard'] as tf.Tensor;
    const dist = (terms as Record<string, tf.Tensor>)['dist'] as tf.Tensor;
    expectAllClose(dist, expected.total, { atol: 1e-4 });
    expectAllClose(terms.total, 0.5 * (hard.dataSync()[0] ?? 0) + expected.total, { atol: 1e-4 });
    tf.dispose(Object.values(terms) as tf.Tensor[]);
    await expectNoLeaks(() => {
      tf.dispose(Object.values(loss.compute(ctx)) as tf.Tensor[]);
    });
    tf.dispose([student, teacher, labels]);
  });
});
