import { createHash } from 'node:crypto';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fixedBatch, ZOO_NAMES } from '../test/helpers.js';
import { createModel } from './create-model.js';

/** Each weight's name and a digest of its bytes (toEqual on millions of floats is slow). */
function weightDigests(name: string, seed: number): Map<string, string> {
  const model = createModel(name, { seed });
  const digests = new Map(
    model.weights.map((w) => {
      const bytes = w.read().dataSync() as Float32Array;
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return [w.originalName, createHash('sha256').update(view).digest('hex')];
    }),
  );
  model.dispose();
  return digests;
}

describeBackends(['cpu'], 'createModel', () => {
  for (const name of ZOO_NAMES) {
    it(`${name}: logits [batch, classes] for 28x28x1 and 32x32x3 inputs`, () => {
      for (const [shape, numClasses] of [
        [[28, 28, 1], 10],
        [[32, 32, 3], 7],
      ] as const) {
        const model = createModel(name, { inputShape: shape, numClasses });
        const { xs, ys } = fixedBatch(2, shape, numClasses);
        const logits = model.predict(xs) as tf.Tensor;
        expect(logits.shape).toEqual([2, numClasses]);
        expect(tf.all(tf.isFinite(logits)).dataSync()[0]).toBe(1);
        // Logits, not probabilities: the last layer is a linear dense layer named 'logits'.
        const last = model.getLayer('logits');
        expect(model.layers[model.layers.length - 1]).toBe(last);
        expect((last.getConfig() as { activation?: string }).activation).toBe('linear');
        expect(model.name).toBe(name);
        tf.dispose([xs, ys, logits]);
        model.dispose();
      }
    });

    it(`${name}: the same seed builds the same weights, another seed other weights`, () => {
      const a = weightDigests(name, 5);
      expect(weightDigests(name, 5)).toEqual(a);
      const other = weightDigests(name, 6);
      // Kernels are seeded; biases and batch-norm parameters start as constants.
      for (const [weight, digest] of a) {
        if (weight.endsWith('kernel')) expect(other.get(weight), weight).not.toBe(digest);
        else expect(other.get(weight), weight).toBe(digest);
      }
      expect([...a.keys()].filter((w) => w.endsWith('kernel')).length).toBeGreaterThan(1);
    });
  }

  it('builds a model and disposes it without leaking tensors', () => {
    const before = tf.memory().numTensors;
    createModel('resnet8').dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('predicts without leaking tensors', async () => {
    const model = createModel('cnn-student');
    const { xs, ys } = fixedBatch(2, [28, 28, 1]);
    await expectNoLeaks(() => model.predict(xs));
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('layer names are stable across builds', () => {
    const a = createModel('mobilenet-v2', { width: 0.5 });
    const b = createModel('mobilenet-v2', { width: 0.5 });
    expect(a.layers.map((l) => l.name)).toEqual(b.layers.map((l) => l.name));
    expect(a.layers.map((l) => l.name)).toContain('block1_1_sep');
    a.dispose();
    b.dispose();
  });

  it('width scales the channels (resnet8 x4)', () => {
    const model = createModel('resnet8', { width: 4, inputShape: [32, 32, 3] });
    expect(model.getLayer('stage3_block1_out').outputShape).toEqual([null, 8, 8, 256]);
    model.dispose();
  });
});

describe('createModel errors', () => {
  it('an unknown name lists the valid ones and suggests the closest', () => {
    try {
      createModel('resnet2O');
      expect.unreachable();
    } catch (error) {
      expect(isKdkitError(error, 'UNKNOWN_NAME')).toBe(true);
      expect((error as Error).message).toContain("Did you mean 'resnet20'?");
      expect((error as Error).message).toContain('mobilenet-v2');
    }
  });

  it('rejects bad options', () => {
    expect(() => createModel('lenet5', { numClasses: 0 })).toThrow(/numClasses/);
    expect(() => createModel('lenet5', { seed: -1 })).toThrow(/seed/);
    expect(() => createModel('lenet5', { width: 0 })).toThrow(/width/);
    expect(() =>
      createModel('lenet5', { inputShape: [28, 28] as unknown as [number, number, number] }),
    ).toThrow(/inputShape/);
  });

  it('an input too small for the architecture names the model and shape', () => {
    expect(() => createModel('lenet5', { inputShape: [4, 4, 1] })).toThrow(
      /createModel: model 'lenet5' cannot be built for inputShape \[4, 4, 1\]/,
    );
  });
});
