import { fromArrays } from '@kdkit/datasets';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { disposeModels } from '../test/fixtures.js';
import { evaluate } from './evaluate.js';
import { layersTeacher, type Teacher } from './teacher.js';

/** A linear model whose logits are 3 × its 3 input pixels (kernel 3·I, zero bias). */
function identityModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [1, 1, 3] }));
  model.add(tfl.layers.dense({ units: 3 }));
  model.setWeights([tf.mul(tf.eye(3), 3), tf.zeros([3])]);
  return model;
}

describeBackends(['cpu', 'wasm'], 'evaluate', () => {
  // Four examples; logits are the pixels. Predictions: 0, 1, 2, 0. Labels: 0, 2, 2, −1.
  const logits = [
    [2, 0, 0],
    [0, 1, 0],
    [0, 0, 3],
    [1, 0, 0],
  ];
  const data = () =>
    fromArrays(Float32Array.from(logits.flat().map((v) => v / 3)), [0, 2, 2, -1], {
      name: 'four',
      shape: [1, 1, 3],
      numClasses: 3,
    });

  it('matches closed-form accuracy, top-k, loss, ECE, confusion and agreement', async () => {
    const model = identityModel();
    const teacher = identityModel();
    teacher.setWeights([tf.tensor2d([0, 3, 0, 3, 0, 0, 0, 0, 3], [3, 3]), tf.zeros([3])]);
    const r = await evaluate(model, data(), { teacher, topK: 2, batchSize: 3 });
    const lsm = (row: number[], i: number) =>
      (row[i] ?? 0) - Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const [a, b, c] = [logits[0] ?? [], logits[1] ?? [], logits[2] ?? []];
    expect(r.count).toBe(3);
    expect(r.accuracy).toBeCloseTo(2 / 3, 6);
    expect(r.k).toBe(2);
    // label 2 of example 1 ties with class 0 at logit 0: strictly fewer than k higher → in top-2
    expect(r.topK).toBeCloseTo(1, 6);
    expect(r.meanLoss).toBeCloseTo(-(lsm(a, 0) + lsm(b, 2) + lsm(c, 2)) / 3, 5);
    const maxProb = (row: number[]) =>
      Math.exp(Math.max(...row)) / row.reduce((sum, v) => sum + Math.exp(v), 0);
    const conf = [a, b, c].map(maxProb);
    // bins of 15: conf[0] ≈ 0.787 and conf[2] ≈ 0.909 are correct, conf[1] ≈ 0.576 is wrong
    const expectedEce =
      (Math.abs(1 - (conf[0] ?? 0)) + Math.abs(0 - (conf[1] ?? 0)) + Math.abs(1 - (conf[2] ?? 0))) /
      3;
    expect(r.ece).toBeCloseTo(expectedEce, 5);
    expect(r.confusion).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 1, 1],
    ]);
    // teacher swaps classes 0 and 1: predictions 1, 0, 2, 1 vs 0, 1, 2, 0 → agrees on 1 of 4
    expect(r.agreement).toBeCloseTo(1 / 4, 6);
    disposeModels(model, teacher);
  });

  it('refuses a dataset the model does not fit', async () => {
    const model = identityModel();
    const wrong = fromArrays(new Float32Array(8), [0, 1], {
      name: 'wide',
      shape: [1, 1, 4],
      numClasses: 3,
    });
    const error = await evaluate(model, wrong).catch((e: unknown) => e);
    expect(isKdkitError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect(String(error)).toContain('[1, 1, 4]');
    model.dispose();
  });

  it('scores a Teacher itself as it scores the model it wraps', async () => {
    const model = identityModel();
    const direct = await evaluate(model, data(), { topK: 2, batchSize: 3 });
    const teacher = layersTeacher(model);
    // An async teacher (as an ONNX one is), so the awaited path is the one scored.
    const asyncTeacher: Teacher = { ...teacher, logits: async (xs) => teacher.logits(xs) };
    expect(await evaluate(teacher, data(), { topK: 2, batchSize: 3 })).toEqual(direct);
    expect(await evaluate(asyncTeacher, data(), { topK: 2, batchSize: 3 })).toEqual(direct);
    expect(direct.accuracy).toBeCloseTo(2 / 3, 6);
    await expectNoLeaks(() => evaluate(asyncTeacher, data(), { teacher: model, batchSize: 2 }));
    model.dispose();
  });

  it('refuses a Teacher that does not fit the dataset, naming its shape', async () => {
    const model = identityModel();
    const wide = { ...layersTeacher(model), name: 'wide', inputShape: [1, 1, 4] as const };
    const error = await evaluate(wide, data()).catch((e: unknown) => e);
    expect(isKdkitError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect(String(error)).toContain('[1, 1, 4]');
    model.dispose();
  });

  it('leaks no tensors', async () => {
    const model = identityModel();
    await expectNoLeaks(() => evaluate(model, data(), { teacher: model, batchSize: 2 }));
    model.dispose();
  });
});
