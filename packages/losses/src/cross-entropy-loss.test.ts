import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createCrossEntropyLoss } from './cross-entropy-loss.js';
import { hardCrossEntropy } from './hard-cross-entropy.js';

describeBackends(['cpu', 'wasm'], "registered 'ce'", () => {
  it('is hard CE over labelled examples, with label smoothing', () => {
    const studentLogits = tf.tensor2d(randomArray(12, 1, -3, 3), [3, 4]);
    const labels = tf.tensor1d([2, -1, 1], 'int32');
    const terms = createCrossEntropyLoss({ labelSmoothing: 0.1 }).compute({
      student: studentLogits,
      labels,
      epoch: 0,
      step: 0,
    });
    const expected = hardCrossEntropy(
      { student: studentLogits, labels },
      {
        ignoreIndex: -1,
        labelSmoothing: 0.1,
      },
    );
    expect(Object.keys(terms)).toEqual(['total', 'hard']);
    expectAllClose(terms.total, expected.dataSync(), { atol: 1e-6 });
    expectAllClose(terms.hard as tf.Scalar, expected.dataSync(), { atol: 1e-6 });
    tf.dispose([studentLogits, labels, terms, expected]);
  });

  it('needs labels, checks them, and does not leak', async () => {
    const studentLogits = tf.tensor2d(randomArray(12, 2, -3, 3), [3, 4]);
    const loss = createCrossEntropyLoss();
    expect(() => loss.compute({ student: studentLogits, epoch: 0, step: 0 })).toThrow(
      /loss 'ce': ctx.labels is missing/,
    );
    const bad = tf.tensor1d([0, 4, 1], 'int32');
    expect(() => loss.compute({ student: studentLogits, labels: bad, epoch: 0, step: 0 })).toThrow(
      /class id 4/,
    );
    const labels = tf.tensor1d([0, 3, -1], 'int32');
    await expectNoLeaks(() => loss.compute({ student: studentLogits, labels, epoch: 0, step: 0 }));
    tf.dispose([studentLogits, bad, labels]);
  });
});
