import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  checkTeacherInputScaling,
  resolveTeacherClasses,
  resolveTeacherInputShape,
  teacherInput,
} from './teacher-input.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isKdkitError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

describeBackends(['cpu', 'wasm'], 'teacherInput', () => {
  // One image, 1 × 2 pixels, 2 channels: pixel p, channel c holds 0.1 · (2p + c + 1).
  const xs = () => tf.tensor4d([0.1, 0.2, 0.3, 0.4], [1, 1, 2, 2]);
  const spec = { name: 't', inputShape: [1, 2, 2] as const };

  it('passes NHWC images through unchanged by default, as a new tensor', () => {
    const x = xs();
    const out = teacherInput(x, { ...spec, layout: 'nhwc' });
    expect(out).not.toBe(x);
    expectAllClose(out, x);
    expect(out.shape).toEqual([1, 1, 2, 2]);
    tf.dispose([x, out]);
  });

  it('transposes to NCHW: channel planes first', () => {
    const x = xs();
    const out = teacherInput(x, { ...spec, layout: 'nchw' });
    expect(out.shape).toEqual([1, 2, 1, 2]);
    expectAllClose(out, [0.1, 0.3, 0.2, 0.4]);
    tf.dispose([x, out]);
  });

  it('maps [0, 1] onto [min, max] and normalizes per channel with mean/std', () => {
    const x = xs();
    const scaled = teacherInput(x, { ...spec, layout: 'nhwc', input: { scale: [-1, 1] } });
    expectAllClose(
      scaled,
      [0.1, 0.2, 0.3, 0.4].map((v) => 2 * v - 1),
    );
    const normal = teacherInput(x, {
      ...spec,
      layout: 'nchw',
      input: { mean: [0.5, 0.25], std: [0.5, 2] },
    });
    // NCHW: channel 0 = [0.1, 0.3], channel 1 = [0.2, 0.4].
    expectAllClose(normal, [(0.1 - 0.5) / 0.5, (0.3 - 0.5) / 0.5, -0.05 / 2, 0.15 / 2]);
    tf.dispose([x, scaled, normal]);
  });

  it('refuses a batch of another image shape, naming both', () => {
    const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    expect(
      code(() => teacherInput(x, { name: 'cnn', inputShape: [32, 32, 3], layout: 'nhwc' })),
    ).toBe(
      "SHAPE_MISMATCH: teacher 'cnn': takes images [*, 32, 32, 3] (NHWC, as the dataset gives them), got a batch of shape [2, 28, 28, 1]",
    );
    x.dispose();
  });

  it('does not leak', async () => {
    const x = xs();
    await expectNoLeaks(() =>
      teacherInput(x, { ...spec, layout: 'nchw', input: { mean: [0.5], std: [0.25] } }),
    );
    x.dispose();
  });
});

it('checkTeacherInputScaling refuses bad scalings, naming the fault', () => {
  const check = (s: Parameters<typeof checkTeacherInputScaling>[1]) =>
    code(() => checkTeacherInputScaling('f', s, 3));
  expect(check({ scale: [0, 1] })).toBe('no error');
  expect(check({ mean: [0.5], std: [0.2] })).toBe('no error');
  expect(check({ scale: [1, 1] })).toMatch(/INVALID_ARGUMENT: f: 'input' scale must be two/);
  expect(check({ mean: [0.5, 0.5], std: [1] })).toBe(
    "INVALID_ARGUMENT: f: 'input' mean has 2 values; give 1 or one per channel (3)",
  );
  expect(check({ mean: [0], std: [1, 0, 1] })).toBe(
    "INVALID_ARGUMENT: f: 'input' std must be finite and non-zero, got [1, 0, 1]",
  );
});

it('resolveTeacherInputShape reads, checks and refuses declared shapes', () => {
  expect(resolveTeacherInputShape('f', 'm.onnx', [1, 28, 28], { layout: 'nchw' })).toEqual([
    28, 28, 1,
  ]);
  expect(resolveTeacherInputShape('f', 'm.onnx', [28, 28, 1], { layout: 'nhwc' })).toEqual([
    28, 28, 1,
  ]);
  // Symbolic and unknown dims take the declared values.
  expect(
    resolveTeacherInputShape('f', 'm', ['height', null, 3], {
      layout: 'nhwc',
      inputShape: [32, 32, 3],
    }),
  ).toEqual([32, 32, 3]);
  const resolve = (...args: Parameters<typeof resolveTeacherInputShape>) =>
    code(() => resolveTeacherInputShape(...args));
  expect(resolve('f', 'm.onnx', [1, 28, 28], { layout: 'nhwc', inputShape: [28, 28, 1] })).toBe(
    "SHAPE_MISMATCH: f: m.onnx takes input [batch, 1, 28, 28], but the declared layout 'nhwc' and inputShape [28, 28, 1] (H, W, C) need [batch, 28, 28, 1] ([batch, H, W, C]); check 'layout' and 'inputShape'",
  );
  expect(resolve('f', 'm.onnx', [784], { layout: 'nchw' })).toBe(
    'SHAPE_MISMATCH: f: m.onnx takes input [batch, 784]; a teacher takes a batch of images, a rank-4 NCHW input',
  );
  expect(resolve('f', 'm', [null, null, 3], { layout: 'nhwc' })).toBe(
    "INVALID_ARGUMENT: f: m takes input [batch, *, *, 3] of unknown size; declare 'inputShape' ([height, width, channels])",
  );
});

it('resolveTeacherClasses reads, checks and refuses declared class counts', () => {
  expect(resolveTeacherClasses('f', 'm', 10, undefined)).toBe(10);
  expect(resolveTeacherClasses('f', 'm', 'classes', 100)).toBe(100);
  const resolve = (...args: Parameters<typeof resolveTeacherClasses>) =>
    code(() => resolveTeacherClasses(...args));
  expect(resolve('f', 'm.onnx', 10, 100)).toBe(
    'SHAPE_MISMATCH: f: m.onnx predicts 10 classes (output [batch, 10]), but numClasses 100 was declared',
  );
  expect(resolve('f', 'm', null, undefined)).toBe(
    "INVALID_ARGUMENT: f: m has an output of unknown width (*); declare 'numClasses'",
  );
});
