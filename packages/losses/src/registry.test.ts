import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import '../test/gradients.js';
import { getLoss, listLosses, registerLoss, unregisterLoss } from './registry.js';
import type { DistillationLoss, LossContext } from './types.js';

const BUILT_INS = [
  'at',
  'ce',
  'dist',
  'dkd',
  'fitnets',
  'hinton',
  'kl',
  'mse',
  'multi-teacher',
  'pkt',
  'rkd',
  'sp',
];

function makeContext(): LossContext {
  const b = 4;
  return {
    student: tf.tensor2d(randomArray(b * 5, 1, -3, 3), [b, 5]),
    teacher: tf.tensor2d(randomArray(b * 5, 2, -3, 3), [b, 5]),
    teachers: [
      tf.tensor2d(randomArray(b * 5, 3, -3, 3), [b, 5]),
      tf.tensor2d(randomArray(b * 5, 4, -3, 3), [b, 5]),
    ],
    labels: tf.tensor1d([1, -1, 4, 0], 'int32'),
    features: {
      student: [tf.tensor4d(randomArray(b * 2 * 2 * 2, 5), [b, 2, 2, 2])],
      teacher: [tf.tensor4d(randomArray(b * 2 * 2 * 3, 6), [b, 2, 2, 3])],
    },
    epoch: 0,
    step: 0,
  };
}

function disposeContext(ctx: LossContext): void {
  tf.dispose([
    ctx.student,
    ctx.teacher,
    ...(ctx.teachers ?? []),
    ctx.labels,
    ...(ctx.features?.student ?? []),
    ...(ctx.features?.teacher ?? []),
  ] as tf.Tensor[]);
}

const dummy = (name: string) => (): DistillationLoss => ({
  name,
  compute: (ctx) => ({ total: tf.mean(ctx.student) as tf.Scalar }),
});

describe('loss registry', () => {
  afterEach(() => {
    unregisterLoss('my-loss');
    unregisterLoss('hinton');
  });

  it('lists every built-in with a one-line description', () => {
    const listed = listLosses();
    expect(listed.filter((l) => l.builtIn).map((l) => l.name)).toEqual(BUILT_INS);
    for (const { description } of listed) {
      expect(description.length).toBeGreaterThan(10);
      expect(description).not.toContain('\n');
    }
  });

  it('suggests the closest name for an unknown loss and lists the valid ones', () => {
    expect(() => getLoss('hintn')).toThrow(
      /Unknown loss 'hintn'\. Did you mean 'hinton'\? Valid loss names: at, ce, dist, dkd/,
    );
    try {
      getLoss('nope');
    } catch (error) {
      expect(isKdkitError(error, 'UNKNOWN_NAME')).toBe(true);
    }
  });

  it('refuses to overwrite a built-in or a registered loss by accident', () => {
    expect(() => registerLoss('hinton', dummy('hinton'))).toThrow(
      /'hinton' is already a built-in loss.*override: true/,
    );
    registerLoss('my-loss', dummy('my-loss'), { description: 'mine' });
    expect(() => registerLoss('my-loss', dummy('my-loss'))).toThrow(/already a registered loss/);
    registerLoss('my-loss', dummy('my-loss-2'), { override: true });
    expect(getLoss('my-loss').name).toBe('my-loss-2');
    expect(() => registerLoss('', dummy('x'))).toThrow(/'name' must be/);
    expect(() => registerLoss('x', 'no' as never)).toThrow(/'factory' for 'x' must be a function/);
  });

  it('lets a deliberate override shadow a built-in until it is unregistered', () => {
    registerLoss('hinton', dummy('my-hinton'), { override: true, description: 'replaced' });
    expect(getLoss('hinton').name).toBe('my-hinton');
    expect(listLosses().find((l) => l.name === 'hinton')).toMatchObject({
      builtIn: false,
      description: 'replaced',
    });
    expect(unregisterLoss('hinton')).toBe(true);
    expect(getLoss('hinton').name).toBe('hinton');
  });

  it('validates factory options: unknown keys and wrong types name the option', () => {
    expect(() => getLoss('hinton', { temprature: 4 })).toThrow(
      /getLoss\('hinton'\): unknown option 'temprature'\. Did you mean 'temperature'\?/,
    );
    expect(() => getLoss('hinton', { alpha: '0.9' })).toThrow(
      /option 'alpha' must be a number, got "0.9"/,
    );
    expect(() => getLoss('hinton', { soft: 'mse' })).toThrow(
      /option 'soft' must be one of 'cross-entropy', 'kl'/,
    );
    expect(() => getLoss('hinton', { alpha: 2 })).toThrow(
      /loss 'hinton': 'alpha' must be in \[0, 1\]/,
    );
    expect(() => getLoss('multi-teacher', { weights: [1, 'a'] })).toThrow(
      /'weights' must be an array of numbers/,
    );
    expect(() => getLoss('ce', { temperature: 2 })).toThrow(
      /unknown option 'temperature'.*valid options: labelSmoothing, allowProbabilities/,
    );
    registerLoss('my-loss', () => ({}) as DistillationLoss);
    expect(() => getLoss('my-loss')).toThrow(/the factory must return a DistillationLoss/);
  });
});

describeBackends(['cpu', 'wasm'], 'every built-in loss', () => {
  for (const name of BUILT_INS) {
    it(`'${name}' computes finite scalar terms with gradients and does not leak`, async () => {
      const ctx = makeContext();
      const loss = getLoss(name);
      expect(loss.name).toBe(name);
      const terms = loss.compute(ctx);
      expect(Object.keys(terms)).toContain('total');
      for (const term of Object.values(terms)) {
        expect(term.shape).toEqual([]);
        expect(Number.isFinite(term.dataSync()[0])).toBe(true);
      }
      tf.dispose(terms);
      const grad = tf.grad(
        (x: tf.Tensor) => loss.compute({ ...ctx, student: x as tf.Tensor2D }).total,
      )(ctx.student);
      expect(grad.dataSync().every(Number.isFinite)).toBe(true);
      grad.dispose();
      await expectNoLeaks(() => loss.compute(ctx));
      loss.dispose?.();
      disposeContext(ctx);
    });
  }

  it('a registered loss rejects probabilities where logits are expected', () => {
    const ctx = makeContext();
    const probs = tf.softmax(ctx.student) as tf.Tensor2D;
    expect(() => getLoss('hinton').compute({ ...ctx, student: probs })).toThrow(
      /loss 'hinton': 'student' \[4, 5\] looks like probabilities/,
    );
    expect(() => getLoss('at').compute({ ...ctx, features: undefined })).toThrow(
      /ctx.features \(\{ student, teacher \} feature maps\) is required/,
    );
    expect(() => getLoss('hinton').compute({ ...ctx, teacher: undefined })).toThrow(
      /ctx.teacher is missing/,
    );
    const hard = getLoss('hinton', { alpha: 0.5 }).compute({ ...ctx, labels: undefined });
    expect(hard.hard?.dataSync()[0]).toBe(0);
    tf.dispose([probs, hard]);
    disposeContext(ctx);
  });
});
