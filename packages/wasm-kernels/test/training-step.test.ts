import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { type HostTensor, runOn, useBackend } from './cross-backend.js';
import { depthwiseSeparableNet, smallBnTeacher, tinyStudent } from './models.js';

interface NetCase {
  readonly name: string;
  readonly build: () => tfl.LayersModel;
  readonly inputShape: [number, number, number];
  readonly classes: number;
}

const NETS: NetCase[] = [
  { name: 'BN conv teacher', build: smallBnTeacher, inputShape: [12, 12, 1], classes: 10 },
  { name: 'tiny student', build: tinyStudent, inputShape: [28, 28, 1], classes: 10 },
  {
    name: 'depthwise/separable net',
    build: depthwiseSeparableNet,
    inputShape: [11, 11, 3],
    classes: 5,
  },
];
const BATCH = 4;

type MakeOptimizer = () => tf.Optimizer;
const sgd: MakeOptimizer = () => tf.train.sgd(0.1);

/**
 * Builds the net (seeded initializers), runs `steps` optimizer steps, and returns the last loss,
 * the last gradients and the updated weights.
 */
function trainSteps(net: NetCase, makeOptimizer: MakeOptimizer = sgd, steps = 1): tf.Tensor[] {
  const model = net.build();
  const xs = tf.tensor4d(randomArray(BATCH * net.inputShape.reduce((a, b) => a * b), 7, 0, 1), [
    BATCH,
    ...net.inputShape,
  ]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 3, 0, 4], 'int32'), net.classes));
  const lossFn = () =>
    tf.tidy(() => {
      const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
      return tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
    });
  const optimizer = makeOptimizer();
  let last: tf.Tensor[] = [];
  for (let step = 0; step < steps; step++) {
    tf.dispose(last);
    const { value, grads } = tf.variableGrads(lossFn);
    optimizer.applyGradients(grads);
    // Variable names carry global counters that differ between runs: order by the model's weights.
    last = [value, ...model.trainableWeights.map((w) => grads[w.name] as tf.Tensor)];
  }
  optimizer.dispose();
  const weights = model.trainableWeights.map((w) => tf.clone(w.read()));
  const out = [...last, ...weights];
  tf.dispose([xs, labels]);
  model.dispose();
  return out;
}

/** |a − b| ≤ atol·max|b| + rtol·|b| per element, with a scale per tensor. */
function maxScaledError(a: HostTensor, b: HostTensor): number {
  let scale = 0;
  for (const v of b.values) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i] as number;
    const y = b.values[i] as number;
    const err = Math.abs(x - y) / (1e-5 + 1e-4 * scale + 1e-3 * Math.abs(y));
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

describe('training steps of whole models on wasm match cpu', () => {
  for (const net of NETS) {
    it(net.name, async () => {
      const expected = await runOn('cpu', () => trainSteps(net));
      const actual = await runOn('wasm', () => trainSteps(net));
      expect(actual.length).toBe(expected.length);
      for (const [i, e] of expected.entries()) {
        const a = actual[i]!;
        expect(a.shape, `tensor ${i}`).toEqual(e.shape);
        expect(
          maxScaledError(a, e),
          `tensor ${i} (0: loss, then gradients, then weights)`,
        ).toBeLessThanOrEqual(1);
      }
    });

    it(`${net.name}: a training step leaks no tensors on wasm`, async () => {
      await useBackend('wasm');
      await expectNoLeaks(() => trainSteps(net));
    });
  }

  const OPTIMIZERS: Array<[string, MakeOptimizer]> = [
    ['adam', () => tf.train.adam(0.01)],
    ['momentum', () => tf.train.momentum(0.05, 0.9)],
  ];
  for (const [name, make] of OPTIMIZERS) {
    for (const net of [NETS[1]!, NETS[2]!]) {
      it(`${net.name}: two ${name} steps`, async () => {
        const expected = await runOn('cpu', () => trainSteps(net, make, 2));
        const actual = await runOn('wasm', () => trainSteps(net, make, 2));
        for (const [i, e] of expected.entries()) {
          expect(maxScaledError(actual[i]!, e), `tensor ${i}`).toBeLessThanOrEqual(1);
        }
      });
    }
  }
});
