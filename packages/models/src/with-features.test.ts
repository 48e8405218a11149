import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { fixedBatch, ZOO_NAMES } from '../test/helpers.js';
import { createModel } from './create-model.js';
import { withFeatures } from './with-features.js';

/** Expected default tap shapes for 28×28×1 inputs (batch dimension left out). */
const TAP_SHAPES: Readonly<Record<string, readonly (readonly number[])[]>> = {
  'mlp-1200': [[1200], [1200]],
  'mlp-800': [[800], [800]],
  lenet5: [[14, 14, 6], [5, 5, 16], [84]],
  'cnn-teacher': [[14, 14, 64], [7, 7, 128], [256]],
  'cnn-student': [[14, 14, 8], [7, 7, 16], [32]],
  resnet8: [[28, 28, 16], [14, 14, 32], [7, 7, 64], [64]],
  resnet20: [[28, 28, 16], [14, 14, 32], [7, 7, 64], [64]],
  vgg8: [[28, 28, 64], [14, 14, 128], [7, 7, 256], [4, 4, 512], [2, 2, 512], [512]],
  'mobilenet-v2': [[14, 14, 24], [7, 7, 32], [4, 4, 96], [2, 2, 1280], [1280]],
};

describeBackends(['cpu'], 'withFeatures', () => {
  for (const name of ZOO_NAMES) {
    it(`${name}: default taps, the end of each stage, have the documented shapes`, () => {
      const model = createModel(name);
      const { model: features, tapNames } = withFeatures(model);
      expect(tapNames.length).toBe(TAP_SHAPES[name]?.length);
      expect(features.outputs.map((o) => o.shape.slice(1))).toEqual([
        [10],
        ...(TAP_SHAPES[name] ?? []),
      ]);
      model.dispose();
    });
  }

  it('outputs the same logits as the source model, plus the tapped activations', () => {
    const model = createModel('cnn-student', { seed: 3 });
    const { model: features } = withFeatures(model, { taps: ['conv1_relu', 'fc1_relu'] });
    const { xs, ys } = fixedBatch(3, [28, 28, 1]);
    const [logits, conv1, fc1] = features.predict(xs) as tf.Tensor[];
    const expected = model.predict(xs) as tf.Tensor;
    expectAllClose(logits as tf.Tensor, expected, { atol: 1e-6 });
    expect(conv1?.shape).toEqual([3, 28, 28, 8]);
    expect(fc1?.shape).toEqual([3, 32]);
    // The tap is the real activation: ReLU outputs are never negative.
    expect(tf.min(conv1 as tf.Tensor).dataSync()[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([xs, ys, logits, conv1, fc1, expected]);
    model.dispose();
  });

  it('shares the weights: no copies, and training one trains the other', () => {
    const model = createModel('cnn-student');
    const { model: features } = withFeatures(model);
    expect(features.getLayer('conv1').getWeights()[0]).toBe(
      model.getLayer('conv1').getWeights()[0],
    );
    const kernel = model.getLayer('logits').getWeights()[0] as tf.Tensor;
    const bumped = tf.add(kernel, 1);
    features
      .getLayer('logits')
      .setWeights([bumped, model.getLayer('logits').getWeights()[1] as tf.Tensor]);
    expectAllClose(model.getLayer('logits').getWeights()[0] as tf.Tensor, bumped);
    bumped.dispose();
    model.dispose();
  });

  it('applies in training mode without leaking tensors', async () => {
    const model = createModel('resnet8', { width: 0.5 });
    const { model: features } = withFeatures(model);
    const { xs, ys } = fixedBatch(2, [28, 28, 1]);
    await expectNoLeaks(() => features.apply(xs, { training: true }) as tf.Tensor[]);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('recognizes a zoo model by name and rejects unknown taps', () => {
    const model = createModel('lenet5');
    try {
      withFeatures(model, { taps: ['pool3'] });
      expect.unreachable();
    } catch (error) {
      expect(isKdkitError(error, 'UNKNOWN_NAME')).toBe(true);
      expect((error as Error).message).toMatch(/no layer 'pool3'.*Did you mean 'pool1'/);
    }
    model.dispose();
  });

  it('needs explicit taps for a model the zoo did not build', () => {
    const input = tfl.input({ shape: [4] });
    const hidden = tfl.layers
      .dense({ units: 3, name: 'hidden' })
      .apply(input) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2 }).apply(hidden) as tfl.SymbolicTensor;
    const custom = tfl.model({ inputs: input, outputs: out, name: 'custom' });
    expect(() => withFeatures(custom)).toThrow(/'taps' must name the layers/);
    expect(withFeatures(custom, { taps: ['hidden'] }).model.outputs[1]?.shape).toEqual([null, 3]);
    custom.dispose();
  });
});
