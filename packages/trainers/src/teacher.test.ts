import { fromArrays } from '@kdkit/datasets';
import { isKdkitError } from '@kdkit/engine';
import { withFeatures } from '@kdkit/models';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { distill } from './distill.js';
import { evaluate } from './evaluate.js';
import {
  type GraphModelLike,
  graphTeacher,
  isTeacher,
  layersTeacher,
  type Teacher,
} from './teacher.js';

const message = async (fn: () => unknown) => {
  try {
    await fn();
  } catch (error) {
    return isKdkitError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

/** [4, 1, 2, 2] images in [0, 1]: 16 distinct values. */
const images = () => tf.reshape(tf.div(tf.range(1, 17), 17), [4, 1, 2, 2]) as tf.Tensor4D;

/** A dense classifier with heavy dropout: logits differ from call to call in training mode. */
function droppy(): tfl.LayersModel {
  const input = tfl.input({ shape: [1, 2, 2], name: 'pixels' });
  const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
  const hidden = tfl.layers.dense({ units: 8, activation: 'relu', name: 'hidden' }).apply(flat);
  const dropped = tfl.layers.dropout({ rate: 0.5 }).apply(hidden) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: 3, name: 'logits' }).apply(dropped);
  return tfl.model({ inputs: input, outputs: logits as tfl.SymbolicTensor, name: 'droppy' });
}

/**
 * A real tfjs-converter GraphModel, built from an in-memory model.json: NCHW input
 * `[batch, 2, 1, 2]` (C = 2, H = 1, W = 2), logits = flatten(x) · W with W[i][j] = 3i + j.
 */
async function graphModel(options: { signature: boolean }) {
  const dim = (d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const float = { type: 'DT_FLOAT' };
  const constant = (name: string, dtype: string, shape: number[]) => ({
    name,
    op: 'Const',
    attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: dim(shape) } } },
  });
  const modelTopology = {
    node: [
      {
        name: 'images',
        op: 'Placeholder',
        attr: { dtype: float, shape: { shape: dim([-1, 2, 1, 2]) } },
      },
      constant('flat_shape', 'DT_INT32', [2]),
      constant('w', 'DT_FLOAT', [4, 3]),
      {
        name: 'flat',
        op: 'Reshape',
        input: ['images', 'flat_shape'],
        attr: { T: float, Tshape: { type: 'DT_INT32' } },
      },
      {
        name: 'logits',
        op: 'MatMul',
        input: ['flat', 'w'],
        attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } },
      },
    ],
    versions: { producer: 1 },
  };
  const signature = {
    inputs: { images: { name: 'images', dtype: 'DT_FLOAT', tensorShape: dim([-1, 2, 1, 2]) } },
    outputs: { logits: { name: 'logits', dtype: 'DT_FLOAT', tensorShape: dim([-1, 3]) } },
  };
  const weights = new Uint8Array(8 + 48);
  weights.set(new Uint8Array(Int32Array.from([-1, 4]).buffer), 0);
  weights.set(new Uint8Array(Float32Array.from({ length: 12 }, (_, i) => i).buffer), 8);
  return loadGraphModel(
    tf.io.fromMemory({
      modelTopology,
      weightSpecs: [
        { name: 'flat_shape', shape: [2], dtype: 'int32' },
        { name: 'w', shape: [4, 3], dtype: 'float32' },
      ],
      weightData: weights.buffer,
      ...(options.signature ? { signature } : {}),
    }),
  );
}

/** The graph's logits in closed form, from NHWC pixels (pixel p, channel c at 2p + c). */
function graphLogits(nhwc: ArrayLike<number>): number[][] {
  const rows: number[][] = [];
  for (let n = 0; n < nhwc.length / 4; n++) {
    const [a = 0, b = 0, c = 0, d = 0] = Array.from(nhwc).slice(4 * n, 4 * n + 4);
    const nchw = [a, c, b, d]; // channel 0 (pixels 0, 1), then channel 1
    rows.push([0, 1, 2].map((j) => nchw.reduce((s, v, i) => s + v * (3 * i + j), 0)));
  }
  return rows;
}

describeBackends(['cpu', 'wasm'], 'layersTeacher', () => {
  it('gives the model’s inference-mode logits (no dropout), the same every call', async () => {
    const model = droppy();
    const teacher = layersTeacher(model);
    expect(isTeacher(teacher)).toBe(true);
    expect(isTeacher(model)).toBe(false);
    expect([teacher.name, teacher.numClasses, teacher.inputShape, teacher.layout]).toEqual([
      'droppy',
      3,
      [1, 2, 2],
      'nhwc',
    ]);
    const xs = images();
    const expected = model.predict(xs) as tf.Tensor2D;
    const first = await teacher.logits(xs);
    const second = await teacher.logits(xs);
    expect(first.shape).toEqual([4, 3]);
    expectAllClose(first, expected);
    expectAllClose(second, expected);
    tf.dispose([xs, expected, first, second]);
    model.dispose();
  });

  it('scales the pixels it is given and uses the first output of a tapped model', async () => {
    const model = droppy();
    const tapped = withFeatures(model, { taps: ['hidden'] }).model;
    const teacher = layersTeacher(tapped, { name: 'scaled', input: { scale: [-1, 1] } });
    expect(teacher.name).toBe('scaled');
    const xs = images();
    const scaled = tf.sub(tf.mul(xs, 2), 1);
    const expected = model.predict(scaled) as tf.Tensor2D;
    const logits = await teacher.logits(xs);
    expectAllClose(logits, expected);
    tf.dispose([xs, scaled, expected, logits]);
    model.dispose();
  });

  it('refuses a batch of the wrong image shape, and a model of unknown input size', async () => {
    const model = droppy();
    const teacher = layersTeacher(model);
    const xs = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    expect(await message(() => teacher.logits(xs))).toBe(
      "SHAPE_MISMATCH: teacher 'droppy': takes images [*, 1, 2, 2] (NHWC, as the dataset gives them), got a batch of shape [2, 2, 2, 1]",
    );
    xs.dispose();
    const anySize = tfl.sequential({
      layers: [
        tfl.layers.globalAveragePooling2d({ inputShape: [null, null, 3] as unknown as number[] }),
      ],
    });
    expect(await message(() => layersTeacher(anySize))).toMatch(
      /^INVALID_ARGUMENT: layersTeacher: model '.+' takes input \[batch, \*, \*, 3\] of unknown size; declare 'inputShape'/,
    );
    expect(layersTeacher(anySize, { inputShape: [4, 4, 3] }).inputShape).toEqual([4, 4, 3]);
    model.dispose();
    anySize.dispose();
  });

  it('does not leak', async () => {
    const model = droppy();
    const teacher = layersTeacher(model);
    const xs = images();
    await expectNoLeaks(() => teacher.logits(xs));
    xs.dispose();
    model.dispose();
  });
});

describeBackends(['cpu', 'wasm'], 'graphTeacher', () => {
  it('runs a real GraphModel with NCHW input on NHWC images, matching the closed form', async () => {
    const model = await graphModel({ signature: true });
    const teacher: Teacher = await graphTeacher(model, { name: 'graph', layout: 'nchw' });
    expect([teacher.numClasses, teacher.inputShape, teacher.layout]).toEqual([
      3,
      [1, 2, 2],
      'nchw',
    ]);
    const xs = images();
    const logits = await teacher.logits(xs);
    expect(logits.shape).toEqual([4, 3]);
    expectAllClose(logits, graphLogits(await xs.data()), { rtol: 1e-5, atol: 1e-5 });
    tf.dispose([xs, logits]);
    model.dispose();
  });

  it('refuses a declared layout or class count that disagrees with the model, naming both', async () => {
    const model = await graphModel({ signature: true });
    expect(await message(() => graphTeacher(model, { name: 'g', inputShape: [1, 2, 2] }))).toBe(
      "SHAPE_MISMATCH: graphTeacher: model 'g' takes input [batch, 2, 1, 2], but the declared layout 'nhwc' and inputShape [1, 2, 2] (H, W, C) need [batch, 1, 2, 2] ([batch, H, W, C]); check 'layout' and 'inputShape'",
    );
    expect(
      await message(() => graphTeacher(model, { name: 'g', layout: 'nchw', numClasses: 10 })),
    ).toBe(
      "SHAPE_MISMATCH: graphTeacher: model 'g' predicts 3 classes (output [batch, 3]), but numClasses 10 was declared",
    );
    model.dispose();
    // Without a signature (the usual case) one blank image tells the output width.
    const bare = await graphModel({ signature: false });
    expect(bare.outputs[0]?.shape).toBeUndefined();
    expect((await graphTeacher(bare, { layout: 'nchw' })).numClasses).toBe(3);
    expect(
      await message(() => graphTeacher(bare, { name: 'g', layout: 'nchw', numClasses: 10 })),
    ).toBe(
      "SHAPE_MISMATCH: graphTeacher: model 'g' predicts 3 classes (output [batch, 3]), but numClasses 10 was declared",
    );
    bare.dispose();
  });

  it('falls back to executeAsync for graphs with control flow', async () => {
    const model = await graphModel({ signature: true });
    let syncCalls = 0;
    let asyncCalls = 0;
    const dynamicGraph: GraphModelLike = {
      inputs: model.inputs,
      outputs: model.outputs,
      execute: () => {
        syncCalls++;
        throw new Error(
          'This execution contains the node … Please use model.executeAsync() instead.',
        );
      },
      executeAsync: (x) => {
        asyncCalls++;
        return model.executeAsync(x);
      },
    };
    const teacher = await graphTeacher(dynamicGraph, { layout: 'nchw' });
    const xs = images();
    const before = tf.memory().numTensors;
    const logits = await teacher.logits(xs);
    expect(tf.memory().numTensors).toBe(before + 1);
    expectAllClose(logits, graphLogits(await xs.data()), { rtol: 1e-5, atol: 1e-5 });
    // One probe for the output width (no signature), then the call; execute is tried once.
    expect([syncCalls, asyncCalls]).toEqual([1, 2]);
    tf.dispose([xs, logits]);
    model.dispose();
  });

  it('does not leak', async () => {
    const model = await graphModel({ signature: true });
    const teacher = await graphTeacher(model, {
      layout: 'nchw',
      input: { mean: [0.5], std: [0.5] },
    });
    const xs = images();
    await expectNoLeaks(() => teacher.logits(xs));
    xs.dispose();
    model.dispose();
  });
});

describeBackends(['cpu'], 'distill and evaluate with a Teacher', () => {
  const data = () =>
    fromArrays(
      Float32Array.from({ length: 16 * 4 }, (_, i) => ((i * 7) % 17) / 17),
      Array.from({ length: 16 }, (_, i) => i % 3),
      { name: 'tiny', shape: [1, 2, 2], numClasses: 3 },
    );
  const student = () =>
    tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [1, 2, 2] }), tfl.layers.dense({ units: 3 })],
    });

  it('a wrapped model distils exactly like the model itself, its logits cached', async () => {
    const teacherModel = droppy();
    const net = student();
    const init = net.getWeights().map((w) => tf.clone(w));
    const run = async (teacher: tfl.LayersModel | Teacher) => {
      net.setWeights(init);
      const result = await distill({
        teacher,
        student: net,
        train: data(),
        epochs: 2,
        batchSize: 8,
        seed: 1,
      });
      const agreement = (await evaluate(net, data(), { teacher })).agreement;
      return { losses: result.history.map((h) => h.losses), cache: result.teacherCache, agreement };
    };
    const direct = await run(teacherModel);
    const wrapped = await run(layersTeacher(teacherModel));
    expect(wrapped.cache).toEqual({ ...direct.cache, hits: 16, misses: 16 });
    expect(wrapped.agreement).toBe(direct.agreement);
    wrapped.losses.forEach((losses, epoch) => {
      for (const [term, value] of Object.entries(losses)) {
        expect(value).toBeCloseTo(direct.losses[epoch]?.[term] ?? Number.NaN, 5);
      }
    });
    tf.dispose(init);
    teacherModel.dispose();
    net.dispose();
  });

  it('refuses a Teacher that disagrees with the student, and one that gives no features', async () => {
    const teacherModel = droppy();
    const net = student();
    const wrong = { ...layersTeacher(teacherModel), name: 'four', numClasses: 4 };
    expect(
      await message(() =>
        distill({ teacher: wrong, student: net, train: data(), epochs: 1, batchSize: 8 }),
      ),
    ).toBe(
      "SHAPE_MISMATCH: distill: 'teacher' (teacher 'four': images [1, 2, 2], 4 classes) and 'student' (input [1, 2, 2], output [*, 3]) must agree on input shape and number of classes",
    );
    const teacher = layersTeacher(teacherModel);
    expect(
      await message(() =>
        distill({ teacher, student: net, train: data(), epochs: 1, batchSize: 8, loss: 'fitnets' }),
      ),
    ).toMatch(
      /^INVALID_ARGUMENT: distill: loss '.+' needs feature maps, but 'teacher' \(teacher 'droppy'\) gives logits only/,
    );
    teacherModel.dispose();
    net.dispose();
  });
});
