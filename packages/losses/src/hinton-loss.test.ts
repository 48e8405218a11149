import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { distillationLoss } from './distillation-loss.js';
import { hintonLossEntry, klLossEntry } from './hinton-loss.js';

const B = 4;
const C = 6;
const logits = (seed: number) => tf.tensor2d(randomArray(B * C, seed, -4, 4), [B, C]);

describeBackends(['cpu', 'wasm'], "registered 'hinton' and 'kl'", () => {
  it('compute distillationLoss over the context with ignoreIndex −1', () => {
    const studentLogits = logits(1);
    const teacherLogits = logits(2);
    const labels = tf.tensor1d([3, -1, 0, -1], 'int32');
    const ctx = { student: studentLogits, teacher: teacherLogits, labels, epoch: 2, step: 10 };
    const hinton = hintonLossEntry.factory({ temperature: 3, alpha: 0.6 }).compute(ctx);
    const expected = distillationLoss(
      { student: studentLogits, teacher: teacherLogits, labels },
      { temperature: 3, alpha: 0.6 },
    );
    expect(Object.keys(hinton)).toEqual(['total', 'soft', 'hard']);
    for (const key of ['total', 'soft', 'hard'] as const) {
      expectAllClose(hinton[key] as tf.Scalar, expected[key].dataSync(), { atol: 1e-6 });
    }
    const kl = klLossEntry.factory({ temperature: 3, alpha: 0.6 }).compute(ctx);
    const klExpected = distillationLoss(
      { student: studentLogits, teacher: teacherLogits, labels },
      { temperature: 3, alpha: 0.6, soft: 'kl' },
    );
    expectAllClose(kl.total, klExpected.total.dataSync(), { atol: 1e-6 });
    const crossEntropy = klLossEntry.factory({ soft: 'cross-entropy' }).compute(ctx);
    const hintonDefault = hintonLossEntry.factory().compute(ctx);
    expectAllClose(crossEntropy.total, hintonDefault.total.dataSync(), { atol: 1e-6 });
    tf.dispose([
      studentLogits,
      teacherLogits,
      labels,
      hinton,
      expected,
      kl,
      klExpected,
      crossEntropy,
      hintonDefault,
    ]);
  });

  it('treats a context without labels as unlabelled (hard = 0) and does not leak', async () => {
    const studentLogits = logits(3);
    const teacherLogits = logits(4);
    const loss = hintonLossEntry.factory();
    const terms = loss.compute({
      student: studentLogits,
      teacher: teacherLogits,
      epoch: 0,
      step: 0,
    });
    expectAllClose(terms.hard as tf.Scalar, 0);
    await expectNoLeaks(() =>
      loss.compute({ student: studentLogits, teacher: teacherLogits, epoch: 0, step: 0 }),
    );
    tf.dispose([studentLogits, teacherLogits, terms]);
  });
});
