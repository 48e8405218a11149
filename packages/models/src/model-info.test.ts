import { isKdkitError } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { DOCUMENTED_PARAMS, ZOO_NAMES } from '../test/helpers.js';
import { createModel } from './create-model.js';
import { modelInfo } from './model-info.js';

describeBackends(['cpu'], 'modelInfo', () => {
  for (const name of ZOO_NAMES) {
    it(`${name}: params within 1% of the documented figure, equal to the built model's`, () => {
      const info = modelInfo(name);
      const documented = DOCUMENTED_PARAMS[name] ?? Number.NaN;
      expect(Math.abs(info.params - documented) / documented).toBeLessThanOrEqual(0.01);
      const model = createModel(name);
      expect(info.params).toBe(model.countParams());
      expect(info.defaultTaps.every((tap) => model.layers.some((l) => l.name === tap))).toBe(true);
      model.dispose();
      expect(info.flops).toBeGreaterThan(info.params);
      expect(['teacher', 'student']).toContain(info.role);
    });
  }

  it('cnn-teacher and cnn-student are the wasm-kernels benchmark pair (1.7M and 27k params)', () => {
    // 320-bias convs: 288 + 18432 + 73728 kernels, BN 4·(32+64+128), dense 6272·256+256, 256·10+10.
    expect(modelInfo('cnn-teacher').params).toBe(288 + 18_432 + 73_728 + 896 + 1_605_888 + 2_570);
    // convs with bias: 80 + 1168, dense 784·32+32, 32·10+10.
    expect(modelInfo('cnn-student').params).toBe(80 + 1_168 + 25_120 + 330);
  });

  it('FLOPs are 2 × the multiply-accumulates (cnn-student, closed form)', () => {
    const macs = 28 * 28 * 8 * 9 + 14 * 14 * 16 * 9 * 8 + 784 * 32 + 32 * 10;
    expect(modelInfo('cnn-student').flops).toBe(2 * macs);
  });

  it('depends on the input shape, classes and width', () => {
    const base = modelInfo('lenet5');
    // 3 input channels add 6·25·2 kernel weights; 32×32 inputs use a 'valid' first conv.
    expect(modelInfo('lenet5', { inputShape: [32, 32, 3] }).params).toBe(base.params + 300);
    expect(modelInfo('lenet5', { numClasses: 11 }).params).toBe(base.params + 85);
    expect(modelInfo('resnet8', { width: 4 }).params).toBeGreaterThan(
      10 * modelInfo('resnet8').params,
    );
  });

  it('counts without leaking tensors', () => {
    const before = tf.memory().numTensors;
    modelInfo('vgg8', { numClasses: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('unknown names throw UNKNOWN_NAME', () => {
    try {
      modelInfo('vgg16');
      expect.unreachable();
    } catch (error) {
      expect(isKdkitError(error, 'UNKNOWN_NAME')).toBe(true);
      expect((error as Error).message).toContain('vgg8');
    }
  });
});
