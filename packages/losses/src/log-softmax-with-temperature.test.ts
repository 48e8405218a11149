import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { refLogSoftmax, toMatrix } from '../test/reference.js';
import { logSoftmaxWithTemperature } from './log-softmax-with-temperature.js';

describeBackends(['cpu', 'wasm'], 'logSoftmaxWithTemperature', () => {
  it('matches a closed form and a float64 reference', () => {
    const simple = logSoftmaxWithTemperature(tf.tensor2d([[0, Math.log(3)]]));
    expectAllClose(simple, [[Math.log(0.25), Math.log(0.75)]], { atol: 1e-6 });
    const logits = tf.tensor2d(randomArray(4 * 6, 5, -8, 8), [4, 6]);
    const rows = toMatrix(logits.dataSync(), 4, 6);
    for (const temperature of [0.1, 1, 7]) {
      const out = logSoftmaxWithTemperature(logits, { temperature: temperature });
      expectAllClose(
        out,
        rows.map((r) => refLogSoftmax(r, temperature)),
        { atol: 1e-4, rtol: 1e-5 },
      );
      out.dispose();
    }
    tf.dispose([simple, logits]);
  });

  it('stays finite for |z| in the thousands at T = 0.05', () => {
    const out = logSoftmaxWithTemperature(tf.tensor2d([[4000, -4000, 0]]), { temperature: 0.05 });
    expect(out.dataSync().every(Number.isFinite)).toBe(true);
    expectAllClose(out, [[0, -160000, -80000]], { rtol: 1e-6 });
    out.dispose();
  });

  it('rejects probabilities unless allowed', () => {
    const probs = tf.tensor2d([[0.5, 0.5]]);
    expect(() => logSoftmaxWithTemperature(probs)).toThrow(
      /'logits' \[1, 2\] looks like probabilities/,
    );
    tf.dispose([
      probs,
      logSoftmaxWithTemperature(probs, { temperature: 1, allowProbabilities: true }),
    ]);
  });

  it('does not leak', async () => {
    const logits = tf.tensor2d(randomArray(8, 1), [2, 4]);
    await expectNoLeaks(() => logSoftmaxWithTemperature(logits, { temperature: 2 }));
    logits.dispose();
  });
});
