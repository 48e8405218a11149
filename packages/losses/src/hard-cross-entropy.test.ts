import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { mean, refHardCrossEntropy, refSoftmax, sum, toMatrix } from '../test/reference.js';
import { hardCrossEntropy } from './hard-cross-entropy.js';

const BATCH = 4;
const CLASSES = 5;
const randomLogits = (seed: number) =>
  tf.tensor2d(randomArray(BATCH * CLASSES, seed, -4, 4), [BATCH, CLASSES]);

describeBackends(['cpu', 'wasm'], 'hardCrossEntropy', () => {
  it('matches closed forms for ids and one-hot rows', () => {
    const logits = tf.tensor2d([
      [0, Math.log(3)],
      [0, 0],
    ]);
    const ids = tf.tensor1d([1, 0], 'int32');
    const expected = [-Math.log(0.75), Math.log(2)];
    const none = hardCrossEntropy({ student: logits, labels: ids }, { reduction: 'none' });
    expectAllClose(none, expected, { atol: 1e-6 });
    const rows = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const fromRows = hardCrossEntropy({ student: logits, labels: rows });
    expectAllClose(fromRows, mean(expected), { atol: 1e-6 });
    tf.dispose([logits, ids, none, rows, fromRows]);
  });

  it('matches a float64 reference with label smoothing and each reduction', () => {
    const logits = randomLogits(1);
    const labelValues = [0, 3, 4, 1];
    const labels = tf.tensor1d(labelValues, 'int32');
    const s = toMatrix(logits.dataSync(), BATCH, CLASSES);
    for (const labelSmoothing of [0, 0.1]) {
      const expected = refHardCrossEntropy(labelValues, s, labelSmoothing);
      const outs = [
        hardCrossEntropy({ student: logits, labels }, { labelSmoothing }),
        hardCrossEntropy({ student: logits, labels }, { labelSmoothing, reduction: 'sum' }),
        hardCrossEntropy({ student: logits, labels }, { labelSmoothing, reduction: 'none' }),
      ];
      expectAllClose(outs[0] as tf.Tensor, mean(expected), { atol: 1e-5 });
      expectAllClose(outs[1] as tf.Tensor, sum(expected), { atol: 1e-5 });
      expectAllClose(outs[2] as tf.Tensor, expected, { atol: 1e-5 });
      tf.dispose(outs);
    }
    tf.dispose([logits, labels]);
  });

  it('excludes ignoreIndex examples and averages over labelled ones only', () => {
    const logits = randomLogits(2);
    const labelValues = [2, -1, -1, 0];
    const labels = tf.tensor1d(labelValues, 'int32');
    const expected = refHardCrossEntropy(labelValues, toMatrix(logits.dataSync(), BATCH, CLASSES));
    const avg = hardCrossEntropy({ student: logits, labels }, { ignoreIndex: -1 });
    expectAllClose(avg, sum(expected) / 2, { atol: 1e-5 });
    const none = hardCrossEntropy(
      { student: logits, labels },
      { ignoreIndex: -1, reduction: 'none' },
    );
    expectAllClose(none, expected, { atol: 1e-5 });
    const unlabelled = tf.tensor1d([-1, -1, -1, -1], 'int32');
    const zero = hardCrossEntropy({ student: logits, labels: unlabelled }, { ignoreIndex: -1 });
    expectAllClose(zero, 0);
    const zeroGrad = analyticGrad(
      (x) =>
        hardCrossEntropy({ student: x as tf.Tensor2D, labels: unlabelled }, { ignoreIndex: -1 }),
      logits,
    );
    expectAllClose(zeroGrad, new Float32Array(BATCH * CLASSES));
    tf.dispose([logits, labels, avg, none, unlabelled, zero]);
  });

  it('has gradient softmax − onehot and agrees with finite differences', () => {
    const logits = randomLogits(3);
    const labelValues = [1, 1, 0, 4];
    const labels = tf.tensor1d(labelValues, 'int32');
    const f = (x: tf.Tensor) =>
      hardCrossEntropy({ student: x as tf.Tensor2D, labels }, { reduction: 'sum' });
    const expected = toMatrix(logits.dataSync(), BATCH, CLASSES).flatMap((row, r) =>
      refSoftmax(row, 1).map((q, i) => q - (i === labelValues[r] ? 1 : 0)),
    );
    const grad = analyticGrad(f, logits);
    expectAllClose(grad, expected, { atol: 1e-6 });
    expectAllClose(grad, finiteDifferenceGrad(f, logits), { atol: 2e-3 });
    tf.dispose([logits, labels]);
  });

  it('stays finite for extreme logits', () => {
    const logits = tf.tensor2d([
      [5000, -5000, 0],
      [-3000, -3000, 3000],
    ]);
    const labels = tf.tensor1d([1, 0], 'int32');
    const f = (x: tf.Tensor) =>
      hardCrossEntropy({ student: x as tf.Tensor2D, labels }, { labelSmoothing: 0.1 });
    const loss = f(logits);
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    expect(analyticGrad(f, logits).every(Number.isFinite)).toBe(true);
    tf.dispose([logits, labels, loss]);
  });

  it('rejects out-of-range, mistyped and mis-shaped labels', () => {
    const logits = randomLogits(4);
    const tooBig = tf.tensor1d([0, 5, 1, 2], 'int32');
    const negative = tf.tensor1d([0, -1, 1, 2], 'int32');
    const floats = tf.tensor1d([0, 1, 1, 2]);
    const short = tf.tensor1d([0, 1], 'int32');
    const badRows = tf.tensor2d(randomArray(BATCH * CLASSES, 9, 0, 1), [BATCH, CLASSES]);
    expect(() => hardCrossEntropy({ student: logits, labels: tooBig })).toThrow(
      /'labels' \[4\] holds class id 5, but ids must be in \[0, 4\]/,
    );
    expect(() => hardCrossEntropy({ student: logits, labels: negative })).toThrow(/class id -1/);
    expect(() => hardCrossEntropy({ student: logits, labels: floats })).toThrow(
      /'labels' must be int32, got float32/,
    );
    expect(() => hardCrossEntropy({ student: logits, labels: short })).toThrow(/batch mismatch/);
    expect(() => hardCrossEntropy({ student: logits, labels: badRows })).toThrow(
      /one-hot or probability rows/,
    );
    expect(() =>
      hardCrossEntropy({ student: logits, labels: short }, { labelSmoothing: 2 }),
    ).toThrow(/labelSmoothing/);
    expect(() =>
      hardCrossEntropy(
        { student: tf.softmax(logits) as tf.Tensor2D, labels: tooBig },
        { ignoreIndex: 5 },
      ),
    ).toThrow(/looks like probabilities/);
    tf.dispose([logits, tooBig, negative, floats, short, badRows]);
  });

  it('does not leak', async () => {
    const logits = randomLogits(5);
    const labels = tf.tensor1d([0, -1, 2, 3], 'int32');
    await expectNoLeaks(() =>
      hardCrossEntropy({ student: logits, labels }, { ignoreIndex: -1, labelSmoothing: 0.1 }),
    );
    tf.dispose([logits, labels]);
  });
});
