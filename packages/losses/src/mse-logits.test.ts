import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { mseLogitsLoss } from './mse-logits.js';

describeBackends(['cpu', 'wasm'], 'mseLogitsLoss', () => {
  it('matches the closed form for each reduction', () => {
    const teacher = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const student = tf.tensor2d([
      [1, 0, 3],
      [3, 0, 0],
    ]);
    const outs = [
      mseLogitsLoss({ student, teacher }, { reduction: 'none' }),
      mseLogitsLoss({ student, teacher }),
      mseLogitsLoss({ student, teacher }, { reduction: 'sum' }),
    ];
    expectAllClose(outs[0] as tf.Tensor, [4 / 3, 3], { atol: 1e-6 });
    expectAllClose(outs[1] as tf.Tensor, (4 / 3 + 3) / 2, { atol: 1e-6 });
    expectAllClose(outs[2] as tf.Tensor, 4 / 3 + 3, { atol: 1e-6 });
    tf.dispose([teacher, student, ...outs]);
  });

  it('has gradient 2(z_s − z_t)/(B·C), matching finite differences', () => {
    const teacher = tf.tensor2d(randomArray(12, 1, -3, 3), [3, 4]);
    const student = tf.tensor2d(randomArray(12, 2, -3, 3), [3, 4]);
    const f = (x: tf.Tensor) => mseLogitsLoss({ student: x as tf.Tensor2D, teacher });
    const t = teacher.dataSync();
    const expected = Array.from(student.dataSync(), (s, i) => (2 * (s - (t[i] ?? 0))) / 12);
    const grad = analyticGrad(f, student);
    expectAllClose(grad, expected, { atol: 1e-6 });
    expectAllClose(grad, finiteDifferenceGrad(f, student), { atol: 1e-3 });
    tf.dispose([teacher, student]);
  });

  it('guards its inputs and does not leak', async () => {
    const teacher = tf.tensor2d(randomArray(12, 3, -3, 3), [3, 4]);
    const probs = tf.softmax(teacher) as tf.Tensor2D;
    expect(() => mseLogitsLoss({ student: teacher, teacher: probs })).toThrow(
      /mseLogitsLoss: 'teacher'.*looks like probabilities/,
    );
    expect(() => mseLogitsLoss({ student: tf.zeros([2, 4]) as tf.Tensor2D, teacher })).toThrow(
      /batch mismatch/,
    );
    await expectNoLeaks(() => mseLogitsLoss({ student: teacher, teacher }));
    tf.dispose([teacher, probs]);
  });
});
