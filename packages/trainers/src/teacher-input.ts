import { KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';

/** How a teacher model lays out its input images: TensorFlow's NHWC or PyTorch's NCHW. */
export type TeacherLayout = 'nhwc' | 'nchw';

/**
 * How a teacher expects its pixels, given kdkit's images in [0, 1]:
 * `{ scale: [min, max] }` maps [0, 1] linearly onto [min, max] (`[0, 1]` is the identity);
 * `{ mean, std }` normalizes each channel as `(x − mean[c]) / std[c]` (torchvision's
 * `Normalize`, on images in [0, 1]); one value applies to every channel.
 */
export type TeacherInputScaling =
  | { readonly scale: readonly [number, number] }
  | { readonly mean: readonly number[]; readonly std: readonly number[] };

/** What {@link teacherInput} needs to turn a dataset batch into a teacher's input. */
export interface TeacherInputSpec {
  /** The teacher's name, for errors. */
  readonly name: string;
  /** [height, width, channels] of the images, as the dataset gives them (NHWC). */
  readonly inputShape: readonly [number, number, number];
  readonly layout: TeacherLayout;
  /** Default `{ scale: [0, 1] }` (images as the dataset gives them). */
  readonly input?: TeacherInputScaling;
}

const show = (dims: readonly (number | string | null)[]) =>
  `[${dims.map((d) => (d === null ? '*' : String(d))).join(', ')}]`;

/**
 * Refuses a scaling that is not finite, has a zero std, or a mean/std list whose length is
 * neither 1 nor `channels`. `where` names the caller in the message.
 */
export function checkTeacherInputScaling(
  where: string,
  scaling: TeacherInputScaling,
  channels: number,
): void {
  const bad = (what: string) => new KdkitError('INVALID_ARGUMENT', `${where}: 'input' ${what}`);
  if ('scale' in scaling) {
    const [min, max] = scaling.scale;
    if (!Number.isFinite(min) || !Number.isFinite(max) || min === max) {
      throw bad(`scale must be two different finite numbers [min, max], got [${min}, ${max}]`);
    }
    return;
  }
  for (const key of ['mean', 'std'] as const) {
    const values = scaling[key];
    if (values.length !== 1 && values.length !== channels) {
      throw bad(`${key} has ${values.length} values; give 1 or one per channel (${channels})`);
    }
    if (!values.every(Number.isFinite) || (key === 'std' && values.some((v) => v === 0))) {
      throw bad(
        `${key} must be finite${key === 'std' ? ' and non-zero' : ''}, got ${show(values)}`,
      );
    }
  }
}

/**
 * A dataset batch (float32 NHWC in [0, 1]) as a teacher model takes it: scaled by `spec.input`,
 * then transposed to NCHW when `spec.layout` is `'nchw'`. Refuses a batch whose image shape is not
 * `spec.inputShape` (`SHAPE_MISMATCH`, naming both). Returns a new tensor (the caller disposes it;
 * `xs` stays the caller's). For writing teacher adapters; the tfjs and ONNX adapters use it.
 *
 * @example
 * const nchw = teacherInput(xs, { name: 'resnet', inputShape: [32, 32, 3], layout: 'nchw',
 *   input: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261] } });
 */
export function teacherInput(xs: tf.Tensor4D, spec: TeacherInputSpec): tf.Tensor4D {
  const [, height, width, channels] = xs.shape;
  const [h, w, c] = spec.inputShape;
  if (xs.rank !== 4 || height !== h || width !== w || channels !== c) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `teacher '${spec.name}': takes images ${show(['*', h, w, c])} (NHWC, as the dataset gives them), got a batch of shape ${show(xs.shape)}`,
    );
  }
  return tf.tidy(() => {
    const scaling = spec.input ?? { scale: [0, 1] as const };
    let x: tf.Tensor4D;
    if ('scale' in scaling) {
      const [min, max] = scaling.scale;
      x = min === 0 && max === 1 ? tf.clone(xs) : tf.add(tf.mul(xs, max - min), min);
    } else {
      x = tf.div(tf.sub(xs, tf.tensor1d([...scaling.mean])), tf.tensor1d([...scaling.std]));
    }
    return spec.layout === 'nchw' ? tf.transpose(x, [0, 3, 1, 2]) : x;
  });
}

/** What a user declared about a teacher model's input. */
export interface DeclaredTeacherInput {
  readonly layout: TeacherLayout;
  /** [height, width, channels], as the dataset gives the images. */
  readonly inputShape?: readonly [number, number, number];
}

/** A dim a model's metadata gives: a size, or null / a symbolic name where any size goes. */
export type ModelDim = number | string | null;

const known = (d: ModelDim | undefined): d is number => typeof d === 'number' && d > 0;

/**
 * The teacher's `inputShape` ([height, width, channels], as the dataset gives the images): the
 * declared one, checked against the model's own input dims (`modelInput`, without the batch axis,
 * in the model's layout), or read from them where not declared. A mismatch throws
 * `SHAPE_MISMATCH` naming `source` (the model or file), the declared and the actual shapes.
 * For writing teacher adapters.
 *
 * @example
 * // A PyTorch model with input [batch, 1, 28, 28] is NCHW: inputShape [28, 28, 1].
 * resolveTeacherInputShape('onnxTeacher', 'cnn.onnx', [1, 28, 28], { layout: 'nchw' });
 */
export function resolveTeacherInputShape(
  where: string,
  source: string,
  modelInput: readonly ModelDim[],
  declared: DeclaredTeacherInput,
): [number, number, number] {
  const { layout, inputShape } = declared;
  if (modelInput.length !== 3) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: ${source} takes input ${show(['batch', ...modelInput])}; a teacher takes a batch of images, a rank-4 ${layout.toUpperCase()} input`,
    );
  }
  const [a, b, c] = modelInput;
  const hwc = layout === 'nchw' ? [b, c, a] : [a, b, c];
  if (inputShape) {
    if (hwc.some((d, i) => known(d) && d !== inputShape[i])) {
      const [h, w, ch] = inputShape;
      const wanted = layout === 'nchw' ? ['batch', ch, h, w] : ['batch', h, w, ch];
      const order = layout === 'nchw' ? '[batch, C, H, W]' : '[batch, H, W, C]';
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: ${source} takes input ${show(['batch', ...modelInput])}, but the declared layout '${layout}' and inputShape ${show(inputShape)} (H, W, C) need ${show(wanted)} (${order}); check 'layout' and 'inputShape'`,
      );
    }
    return [...inputShape];
  }
  if (!hwc.every(known)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ${source} takes input ${show(['batch', ...modelInput])} of unknown size; declare 'inputShape' ([height, width, channels])`,
    );
  }
  return hwc as [number, number, number];
}

/**
 * The teacher's `numClasses`: the declared count, checked against the model's output width
 * (`modelClasses`, from its metadata or a probe run), or read from it where not declared. A
 * mismatch throws `SHAPE_MISMATCH` naming `source`, the declared and the actual counts.
 */
export function resolveTeacherClasses(
  where: string,
  source: string,
  modelClasses: ModelDim,
  declared: number | undefined,
): number {
  const numClasses = declared ?? (known(modelClasses) ? modelClasses : undefined);
  if (numClasses === undefined) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: ${source} has an output of unknown width (${modelClasses ?? '*'}); declare 'numClasses'`,
    );
  }
  if (known(modelClasses) && modelClasses !== numClasses) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: ${source} predicts ${modelClasses} classes (output [batch, ${modelClasses}]), but numClasses ${numClasses} was declared`,
    );
  }
  return numClasses;
}
