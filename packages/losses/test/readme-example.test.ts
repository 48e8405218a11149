import { readFileSync } from 'node:fs';
import { getLoss, listLosses } from '@kdkit/losses';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { myLoss } from '../examples/my-loss.js';
import './gradients.js';

describeBackends(['cpu', 'wasm'], 'README worked example (examples/my-loss.ts)', () => {
  it('is printed verbatim in the README', () => {
    const example = readFileSync(new URL('../examples/my-loss.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(example.trim());
  });

  it('registers, is listed, and computes KD plus the penalty', () => {
    expect(listLosses().find((l) => l.name === 'kd-confidence-penalty')).toEqual({
      name: 'kd-confidence-penalty',
      description: 'Hinton KD plus a penalty on over-confident student predictions.',
      builtIn: false,
    });
    const studentLogits = tf.tensor2d([
      [2, 0, -1],
      [0, 0, 0],
    ]);
    const teacherLogits = tf.tensor2d([
      [3, 1, 0],
      [0, 2, 0],
    ]);
    const labels = tf.tensor1d([0, -1], 'int32');
    const ctx = { student: studentLogits, teacher: teacherLogits, labels, epoch: 0, step: 0 };
    const terms = myLoss.compute(ctx);
    const hinton = getLoss('hinton', { temperature: 2, alpha: 0.9 }).compute(ctx);
    const confidence = terms.confidence?.dataSync()[0] ?? Number.NaN;
    // The uniform row has entropy log 3; the penalty is the batch mean of Σ q log q.
    const q = [2, 0, -1].map(Math.exp);
    const z = q.reduce((a, b) => a + b, 0);
    const first = q.reduce((acc, v) => acc + (v / z) * Math.log(v / z), 0);
    expectAllClose(confidence, (first - Math.log(3)) / 2, { atol: 1e-6 });
    expectAllClose(terms.total, (hinton.total.dataSync()[0] ?? 0) + 0.05 * confidence, {
      atol: 1e-5,
    });
    const grad = tf.grad(
      (x: tf.Tensor) => myLoss.compute({ ...ctx, student: x as tf.Tensor2D }).total,
    )(studentLogits);
    expect(grad.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([studentLogits, teacherLogits, labels, terms, hinton, grad]);
  });

  it('does not leak', async () => {
    const studentLogits = tf.tensor2d([[2, 0, -1]]);
    const teacherLogits = tf.tensor2d([[3, 1, 0]]);
    const labels = tf.tensor1d([1], 'int32');
    await expectNoLeaks(() =>
      myLoss.compute({ student: studentLogits, teacher: teacherLogits, labels, epoch: 0, step: 0 }),
    );
    tf.dispose([studentLogits, teacherLogits, labels]);
  });
});
