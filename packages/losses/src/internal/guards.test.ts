import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it, vi } from 'vitest';
import { probabilityProbe, runProbes } from './guards.js';

describeBackends(['cpu', 'wasm'], 'runProbes', () => {
  it('reads the backend once for any number of probes', () => {
    const a = tf.tensor2d([[1, -2]]);
    const b = tf.tensor2d([[3, 4]]);
    const spy = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const before = tf.memory().numTensors;
    runProbes([probabilityProbe('f', 'a', a), probabilityProbe('f', 'b', b)]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(tf.memory().numTensors).toBe(before);
    spy.mockRestore();
    tf.dispose([a, b]);
  });

  it('flags rows that are non-negative and sum to 1 within 1e-3 only', () => {
    const near = tf.tensor2d([[0.2, 0.7995]]);
    const off = tf.tensor2d([[0.2, 0.798]]);
    const negative = tf.tensor2d([[-0.1, 1.1]]);
    expect(() => runProbes([probabilityProbe('f', 'x', near)])).toThrow(
      /f: 'x' \[1, 2\] looks like probabilities/,
    );
    runProbes([probabilityProbe('f', 'x', off), probabilityProbe('f', 'x', negative)]);
    tf.dispose([near, off, negative]);
  });
});
