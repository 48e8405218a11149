import { fromArrays } from '@kdkit/datasets';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import { layersTeacher, type Teacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { meanSoftTargetEntropy } from './soft-target-entropy.js';

// A "teacher" whose logits are fixed: a zero-kernel dense layer with bias b, so every image
// gets logits b and the soft targets are softmax(b / T).
function constantTeacher(bias: number[]): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [2, 2, 1] }),
      tfl.layers.dense({ units: bias.length, kernelInitializer: 'zeros' }),
    ],
  });
  const [kernel] = model.getWeights();
  const weights = [tf.zerosLike(kernel as tf.Tensor), tf.tensor1d(bias)];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

describeBackends(['cpu'], 'meanSoftTargetEntropy', () => {
  const data = fromArrays(new Float32Array(3 * 4).fill(0.5), new Int32Array([0, 1, 2]), {
    name: 'tiny',
    shape: [2, 2, 1],
    numClasses: 3,
  });

  it('is the entropy of softmax(z / T) averaged over images', async () => {
    const teacher = constantTeacher([2, 0, -2]);
    const p = [1, 0, -1].map(Math.exp);
    const z = p.reduce((a, b) => a + b, 0);
    // T = 2: softmax([1, 0, −1]).
    const expected = -p.reduce((h, v) => h + (v / z) * Math.log(v / z), 0);
    expect(await meanSoftTargetEntropy(teacher, data, 2)).toBeCloseTo(expected, 5);
    // Equal logits: uniform targets, entropy ln 3 at any T.
    const flat = constantTeacher([1, 1, 1]);
    expect(await meanSoftTargetEntropy(flat, data, 4)).toBeCloseTo(Math.log(3), 5);
    // Any Teacher: the same logits through an async adapter give the same entropy.
    const wrapped = layersTeacher(teacher);
    const asyncTeacher: Teacher = { ...wrapped, logits: async (xs) => wrapped.logits(xs) };
    expect(await meanSoftTargetEntropy(asyncTeacher, data, 2)).toBeCloseTo(expected, 5);
    teacher.dispose();
    flat.dispose();
  });

  it('leaks no tensors and rejects T ≤ 0', async () => {
    const teacher = constantTeacher([0.5, 0, 1]);
    await expectNoLeaks(() => meanSoftTargetEntropy(teacher, data, 4));
    await expectNoLeaks(() => meanSoftTargetEntropy(layersTeacher(teacher), data, 4));
    await expect(meanSoftTargetEntropy(teacher, data, 0)).rejects.toThrow(/temperature/);
    teacher.dispose();
  });
});
