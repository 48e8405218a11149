import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batches } from '@kdkit/datasets';
import { loadFashionMnistMini } from '@kdkit/datasets/node';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import { isTeacher, type Teacher } from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { MODEL_PATH, reference } from '../test/fixture.js';
import { onnxTeacher as webOnnxTeacher } from './index.js';
import { onnxTeacher } from './node/index.js';

const message = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (error) {
    return isKdkitError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

/** The images of the reference logits, as one NHWC batch. */
async function referenceImages(): Promise<tf.Tensor4D> {
  const test = await loadFashionMnistMini({ split: 'test', limit: reference.indices.length });
  const [batch] = batches(test, { batchSize: test.size, shuffle: false, augment: false });
  if (!batch) throw new Error('empty mini test split');
  expect(Array.from(batch.indices)).toEqual(reference.indices);
  expect(Array.from(await batch.labels.data())).toEqual(reference.labels);
  batch.labels.dispose();
  return batch.xs as tf.Tensor4D;
}

/** max |kdkit − PyTorch| over the reference logits. */
async function maxDelta(teacher: Teacher, runtime: string): Promise<number> {
  const xs = await referenceImages();
  const logits = await teacher.logits(xs);
  const values = await logits.data();
  tf.dispose([xs, logits]);
  const delta = Math.max(
    ...reference.logits.flat().map((v, i) => Math.abs((values[i] ?? Number.NaN) - v)),
  );
  console.log(`${runtime} vs PyTorch: max |Δlogit| = ${delta.toExponential(2)} over 100 × 10`);
  return delta;
}

it('the fixture is the file the reference logits were computed with', () => {
  const sha = createHash('sha256').update(readFileSync(MODEL_PATH)).digest('hex');
  expect(sha).toBe(reference.onnxSha256);
});

describeBackends(['cpu', 'wasm'], 'onnxTeacher (onnxruntime-node)', () => {
  it('reads layout, image shape and classes from the model metadata', async () => {
    const teacher = await onnxTeacher(MODEL_PATH);
    expect(isTeacher(teacher)).toBe(true);
    expect([teacher.name, teacher.layout, teacher.inputShape, teacher.numClasses]).toEqual([
      'fashion-cnn.onnx',
      'nchw',
      [28, 28, 1],
      10,
    ]);
    teacher.dispose?.();
  });

  it('gives PyTorch’s own logits within 1e-4 on 100 mini-set images', async () => {
    const teacher = await onnxTeacher(MODEL_PATH, {
      name: 'fashion-cnn',
      layout: 'nchw',
      input: { scale: [0, 1] },
      inputShape: [28, 28, 1],
      numClasses: 10,
    });
    expect(await maxDelta(teacher, 'onnxruntime-node')).toBeLessThanOrEqual(1e-4);
    teacher.dispose?.();
  });

  it('scales with mean/std before the model: (x − 0.5) / 0.5 maps [0, 1] onto [−1, 1]', async () => {
    const plain = await onnxTeacher(MODEL_PATH);
    const normalized = await onnxTeacher(MODEL_PATH, { input: { mean: [0.5], std: [0.5] } });
    const ranged = await onnxTeacher(MODEL_PATH, { input: { scale: [-1, 1] } });
    const xs = await referenceImages();
    const shifted = tf.sub(tf.mul(xs, 2), 1) as tf.Tensor4D;
    // The plain teacher on [−1, 1] images is what the other two compute on [0, 1] images.
    const [want, a, b] = [
      await plain.logits(shifted),
      await normalized.logits(xs),
      await ranged.logits(xs),
    ];
    expectAllClose(a, want, { atol: 1e-4 });
    expectAllClose(b, want, { atol: 1e-4 });
    tf.dispose([xs, shifted, want, a, b]);
    for (const t of [plain, normalized, ranged]) t.dispose?.();
  });

  it('does not leak', async () => {
    const teacher = await onnxTeacher(MODEL_PATH);
    const xs = tf.zeros([3, 28, 28, 1]) as tf.Tensor4D;
    await expectNoLeaks(() => teacher.logits(xs));
    xs.dispose();
    teacher.dispose?.();
  });
});

describeBackends(['cpu'], 'onnxTeacher (onnxruntime-web, the browser entry, run in Node)', () => {
  it('gives the same logits as PyTorch from the model’s bytes', async () => {
    const teacher = await webOnnxTeacher(readFileSync(MODEL_PATH));
    expect([teacher.name, teacher.inputShape, teacher.numClasses]).toEqual([
      'onnx-model',
      [28, 28, 1],
      10,
    ]);
    expect(await maxDelta(teacher, 'onnxruntime-web')).toBeLessThanOrEqual(1e-4);
    teacher.dispose?.();
  });
});

it('refuses a declared layout, image shape or class count the model does not have, naming both', async () => {
  expect(
    await message(() => onnxTeacher(MODEL_PATH, { layout: 'nhwc', inputShape: [28, 28, 1] })),
  ).toBe(
    `SHAPE_MISMATCH: onnxTeacher: ${MODEL_PATH} takes input [batch, 1, 28, 28], but the declared layout 'nhwc' and inputShape [28, 28, 1] (H, W, C) need [batch, 28, 28, 1] ([batch, H, W, C]); check 'layout' and 'inputShape'`,
  );
  expect(await message(() => onnxTeacher(MODEL_PATH, { inputShape: [32, 32, 3] }))).toBe(
    `SHAPE_MISMATCH: onnxTeacher: ${MODEL_PATH} takes input [batch, 1, 28, 28], but the declared layout 'nchw' and inputShape [32, 32, 3] (H, W, C) need [batch, 3, 32, 32] ([batch, C, H, W]); check 'layout' and 'inputShape'`,
  );
  expect(await message(() => onnxTeacher(MODEL_PATH, { numClasses: 100 }))).toBe(
    `SHAPE_MISMATCH: onnxTeacher: ${MODEL_PATH} predicts 10 classes (output [batch, 10]), but numClasses 100 was declared`,
  );
  expect(
    await message(() => onnxTeacher(MODEL_PATH, { input: { mean: [0.5, 0.5], std: [1] } })),
  ).toBe("INVALID_ARGUMENT: onnxTeacher: 'input' mean has 2 values; give 1 or one per channel (1)");
});

it('refuses a missing file and a file that is not ONNX, naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdkit-onnx-'));
  const missing = join(dir, 'missing.onnx');
  expect(await message(() => onnxTeacher(missing))).toBe(
    `FILE_NOT_FOUND: onnxTeacher: cannot read ONNX model ${missing}`,
  );
  const junk = join(dir, 'junk.onnx');
  writeFileSync(junk, 'this is not a protobuf');
  expect(await message(() => onnxTeacher(junk))).toMatch(
    new RegExp(
      `^CORRUPT_FILE: onnxTeacher: ${junk} is not an ONNX model onnxruntime-node can load: `,
    ),
  );
});

it('refuses a batch of another image shape', async () => {
  const teacher = await onnxTeacher(MODEL_PATH);
  const xs = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
  expect(await message(async () => teacher.logits(xs))).toBe(
    "SHAPE_MISMATCH: teacher 'fashion-cnn.onnx': takes images [*, 28, 28, 1] (NHWC, as the dataset gives them), got a batch of shape [2, 32, 32, 3]",
  );
  xs.dispose();
  teacher.dispose?.();
});
