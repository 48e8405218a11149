import { initBackend } from '@kdkit/backend';
import { describeBackends, expectAllClose, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { analyticGrad, finiteDifferenceGrad } from '../test/gradients.js';
import { toMatrix } from '../test/reference.js';
import { refRkd } from '../test/reference-features.js';
import { relationalKdLoss } from './relational-kd.js';

describeBackends(['cpu', 'wasm'], 'relationalKdLoss', () => {
  it('matches a float64 reference of the distance and angle terms', () => {
    const s = tf.tensor2d(randomArray(4 * 3, 1, -2, 2), [4, 3]);
    const t = tf.tensor2d(randomArray(4 * 5, 2, -2, 2), [4, 5]);
    const ref = refRkd(toMatrix(s.dataSync(), 4, 3), toMatrix(t.dataSync(), 4, 5));
    const terms = relationalKdLoss({ student: [s], teacher: [t] });
    expectAllClose(terms.distance, ref.distance, { atol: 1e-5, rtol: 1e-4 });
    expectAllClose(terms.angle, ref.angle, { atol: 1e-5, rtol: 1e-4 });
    expectAllClose(terms.total, 25 * ref.distance + 50 * ref.angle, { atol: 1e-4, rtol: 1e-4 });
    // Relations are invariant to scaling and translating the embedding.
    const moved = relationalKdLoss({ student: [s], teacher: [tf.add(tf.mul(s, 3), 1)] });
    expectAllClose(moved.total, 0, { atol: 1e-4 });
    tf.dispose([s, t, terms, moved]);
  });

  it('matches the reference for wide, offset embeddings (a conv tap flattened)', () => {
    // The angle term works from the Gram matrix: check float32 cancellation at large d, with
    // every value far from 0 as after a ReLU.
    const s = tf.tensor2d(randomArray(6 * 3000, 11, 2, 3), [6, 3000]);
    const t = tf.tensor2d(randomArray(6 * 500, 12, 5, 6), [6, 500]);
    const ref = refRkd(toMatrix(s.dataSync(), 6, 3000), toMatrix(t.dataSync(), 6, 500));
    const terms = relationalKdLoss({ student: [s], teacher: [t] });
    expect(ref.angle).toBeGreaterThan(1e-4);
    expectAllClose(terms.angle, ref.angle, { atol: 1e-5, rtol: 1e-3 });
    expectAllClose(terms.distance, ref.distance, { atol: 1e-5, rtol: 1e-3 });
    tf.dispose([s, t, terms]);
  });

  it('agrees with finite differences and stays finite with duplicate examples', () => {
    const s = tf.tensor2d(randomArray(3 * 2, 3, -2, 2), [3, 2]);
    const t = tf.tensor2d(randomArray(3 * 3, 4, -2, 2), [3, 3]);
    const f = (x: tf.Tensor) => relationalKdLoss({ student: [x], teacher: [t] }).total;
    expectAllClose(analyticGrad(f, s), finiteDifferenceGrad(f, s, 1e-2), {
      atol: 1e-2,
      rtol: 5e-2,
    });
    const duplicates = tf.tensor2d([
      [1, 2],
      [1, 2],
      [0, 1],
    ]);
    expect(analyticGrad(f, duplicates).every(Number.isFinite)).toBe(true);
    tf.dispose([s, t, duplicates]);
  });

  it('does not leak', async () => {
    const s = tf.tensor2d(randomArray(8, 5), [4, 2]);
    await expectNoLeaks(() => relationalKdLoss({ student: [s], teacher: [s] }, { angleWeight: 0 }));
    await expectNoLeaks(() => relationalKdLoss({ student: [s], teacher: [s] }));
    s.dispose();
  });
});

describe('relationalKdLoss on wasm', () => {
  // RKD reduces [b, b] and [b, b, b] tensors over every axis (its gradient sums broadcasts over
  // axes 0 and 1): the wasm Sum kernels must agree with cpu there.
  it('gives the value and gradient cpu gives, for a batch of 6', async () => {
    const s = randomArray(6 * 5, 7, -2, 2);
    const t = randomArray(6 * 9, 8, -2, 2);
    const run = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      const student = tf.tensor2d(s, [6, 5]);
      const teacher = tf.tensor2d(t, [6, 9]);
      const { value, grad } = tf.valueAndGrad(
        (x: tf.Tensor) => relationalKdLoss({ student: x, teacher }).total,
      )(student);
      const out = { value: value.dataSync()[0] as number, grad: Array.from(grad.dataSync()) };
      tf.dispose([student, teacher, value, grad]);
      return out;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(cpu.value).toBeGreaterThan(0);
    expectAllClose(wasm.value, cpu.value, { atol: 1e-5, rtol: 1e-4 });
    expectAllClose(wasm.grad, cpu.grad, { atol: 1e-5, rtol: 1e-4 });
  });
});
