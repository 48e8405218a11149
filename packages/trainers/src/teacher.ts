import { KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { splitOutputs } from './internal/minimize-terms.js';
import {
  checkTeacherInputScaling,
  resolveTeacherClasses,
  resolveTeacherInputShape,
  type TeacherInputScaling,
  type TeacherLayout,
  teacherInput,
} from './teacher-input.js';

/**
 * A teacher: anything that maps a batch of images to logits (a tfjs LayersModel or GraphModel, an
 * ONNX model, a store of soft targets). The trainers don't care which.
 *
 * `logits(xs)` takes the dataset's images as they are, float32 NHWC
 * `[batch, ...inputShape]` in [0, 1], and returns logits `[batch, numClasses]` (not
 * probabilities) in inference mode. The adapter converts the images to the model's own
 * `layout` and scaling. The returned tensor is the caller's to dispose; `xs` stays the caller's.
 */
export interface Teacher {
  /** For reports and errors. */
  readonly name: string;
  readonly numClasses: number;
  /** [height, width, channels] of the images, as the dataset provides them (NHWC). */
  readonly inputShape: readonly [number, number, number];
  /** The model's own input layout (the adapter transposes to it). */
  readonly layout: TeacherLayout;
  logits(xs: tf.Tensor4D): Promise<tf.Tensor2D> | tf.Tensor2D;
  /** Frees what the adapter itself holds (an ONNX session); a model passed in stays the caller's. */
  dispose?(): void;
}

/** True for a {@link Teacher} (a tfjs LayersModel is not one: wrap it with {@link layersTeacher}). */
export function isTeacher(value: unknown): value is Teacher {
  const t = value as Partial<Teacher> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.logits === 'function' &&
    typeof t.numClasses === 'number' &&
    Array.isArray(t.inputShape)
  );
}

const logitsOf = (where: string, name: string, out: tf.Tensor, batch: number, classes: number) => {
  if (out.rank !== 2 || out.shape[0] !== batch || out.shape[1] !== classes) {
    const shape = out.shape.join(', ');
    tf.dispose(out);
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: teacher '${name}' returned shape [${shape}], expected logits [${batch}, ${classes}]`,
    );
  }
  return out as tf.Tensor2D;
};

export interface LayersTeacherOptions {
  /** Default: the model's name. */
  readonly name?: string;
  /** Pixel scaling the model was trained with. Default `{ scale: [0, 1] }`. */
  readonly input?: TeacherInputScaling;
  /** [height, width, channels]; needed only when the model takes images of any size. */
  readonly inputShape?: readonly [number, number, number];
  /** Needed only when the model's output width is unknown. */
  readonly numClasses?: number;
}

/**
 * A tfjs LayersModel (NHWC input, logits output) as a {@link Teacher}. It runs
 * `model.apply(xs, { training: false })` (no dropout, BatchNorm on moving statistics) inside
 * `tf.tidy`; a model with feature taps gives its first output. The model stays the caller's.
 *
 * @example
 * const teacher = layersTeacher(await loadModel('runs/teacher'), { name: 'cnn-teacher' });
 * const logits = await teacher.logits(batch.xs); // [batch, 10], logits (not probabilities)
 */
export function layersTeacher(model: tfl.LayersModel, options: LayersTeacherOptions = {}): Teacher {
  const where = 'layersTeacher';
  const name = options.name ?? model.name;
  const source = `model '${model.name}'`;
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  const output = model.outputs[0]?.shape ?? [];
  const inputShape = resolveTeacherInputShape(where, source, input, {
    layout: 'nhwc',
    ...declaredShape(options),
  });
  const numClasses = resolveTeacherClasses(
    where,
    source,
    output.at(-1) ?? null,
    options.numClasses,
  );
  if (options.input) checkTeacherInputScaling(where, options.input, inputShape[2]);
  const spec = { name, inputShape, layout: 'nhwc' as const, ...scalingOf(options.input) };
  return {
    name,
    numClasses,
    inputShape,
    layout: 'nhwc',
    logits: (xs) =>
      tf.tidy(() => {
        const x = teacherInput(xs, spec);
        const out = splitOutputs(model.apply(x, { training: false })).logits;
        return logitsOf(where, name, out, xs.shape[0], numClasses);
      }),
  };
}

/** One input or output of a GraphModel, as tfjs-converter describes it (-1: any size). */
export interface GraphTensorInfo {
  readonly name: string;
  readonly shape?: readonly number[];
  readonly dtype?: string;
}

/**
 * What {@link graphTeacher} needs of a tfjs-converter `GraphModel` (typed by shape, so this
 * package does not require @tensorflow/tfjs-converter).
 */
export interface GraphModelLike {
  readonly inputs: readonly GraphTensorInfo[];
  readonly outputs: readonly GraphTensorInfo[];
  execute(
    inputs: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap,
    outputs?: string | string[],
  ): tf.Tensor | tf.Tensor[];
  executeAsync(
    inputs: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap,
    outputs?: string | string[],
  ): Promise<tf.Tensor | tf.Tensor[]>;
}

export interface GraphTeacherOptions extends LayersTeacherOptions {
  /** The model's input layout. Default 'nhwc' (TensorFlow's). */
  readonly layout?: TeacherLayout;
}

/**
 * A tfjs-converter `GraphModel` (from `loadGraphModel`) as a {@link Teacher}. The declared
 * `layout`, `inputShape` and `numClasses` are checked against the model's input and output
 * signature before any step; a mismatch throws `SHAPE_MISMATCH` naming both. A graph model is a
 * frozen inference graph, so it always runs in inference mode: through `execute` inside
 * `tf.tidy`, or `executeAsync` for graphs with control flow. The model stays the caller's.
 *
 * @example
 * import { loadGraphModel } from '@tensorflow/tfjs-converter';
 * const teacher = graphTeacher(await loadGraphModel('https://…/model.json'), { name: 'effnet' });
 */
export async function graphTeacher(
  model: GraphModelLike,
  options: GraphTeacherOptions = {},
): Promise<Teacher> {
  const where = 'graphTeacher';
  const name = options.name ?? 'graph-model';
  const source = `model '${name}'`;
  const layout = options.layout ?? 'nhwc';
  const [first, ...others] = model.inputs;
  if (!first || others.length > 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ${source} has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(', ')}); a teacher takes one image input`,
    );
  }
  const dims = (shape: readonly number[] | undefined) =>
    (shape ?? []).map((d) => (d > 0 ? d : null));
  const inputShape = resolveTeacherInputShape(
    where,
    source,
    first.shape ? dims(first.shape).slice(1) : [null, null, null],
    { layout, ...declaredShape(options) },
  );
  if (options.input) checkTeacherInputScaling(where, options.input, inputShape[2]);
  const spec = { name, inputShape, layout, ...scalingOf(options.input) };

  let dynamic = false;
  /** The model's first output on `xs` (NHWC in [0, 1]), through execute or executeAsync. */
  const run = async (xs: tf.Tensor4D): Promise<tf.Tensor> => {
    const first = (out: tf.Tensor | tf.Tensor[]) => {
      const [head, ...rest] = Array.isArray(out) ? out : [out];
      tf.dispose(rest);
      if (!head) throw new KdkitError('SHAPE_MISMATCH', `${where}: ${source} returned no output`);
      return head;
    };
    if (!dynamic) {
      try {
        return tf.tidy(() => first(model.execute(teacherInput(xs, spec))));
      } catch (error) {
        // Graphs with control flow or dynamic shapes must run through executeAsync.
        if (!(error instanceof Error && error.message.includes('executeAsync'))) throw error;
        dynamic = true;
      }
    }
    const x = teacherInput(xs, spec);
    try {
      return first(await model.executeAsync(x));
    } finally {
      tf.dispose(x);
    }
  };

  // tfjs-converter knows an output's shape only from a signature: else one blank image tells.
  let modelClasses = dims(model.outputs[0]?.shape).at(-1) ?? null;
  if (modelClasses === null) {
    const blank = tf.zeros([1, ...inputShape]) as tf.Tensor4D;
    const out = await run(blank).finally(() => blank.dispose());
    modelClasses = out.rank === 2 ? (out.shape[1] ?? null) : -1;
    const shape = out.shape;
    out.dispose();
    if (modelClasses === -1) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: ${source} returned shape [${shape.join(', ')}] for one image; a teacher returns logits [batch, classes]`,
      );
    }
  }
  const numClasses = resolveTeacherClasses(where, source, modelClasses, options.numClasses);
  return {
    name,
    numClasses,
    inputShape,
    layout,
    logits: async (xs) => logitsOf(where, name, await run(xs), xs.shape[0], numClasses),
  };
}

const declaredShape = (o: LayersTeacherOptions) =>
  o.inputShape ? { inputShape: o.inputShape } : {};

const scalingOf = (input: TeacherInputScaling | undefined) => (input ? { input } : {});
