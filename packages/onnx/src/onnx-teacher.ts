import { KdkitError } from '@kdkit/engine';
import {
  checkTeacherInputScaling,
  type ModelDim,
  resolveTeacherClasses,
  resolveTeacherInputShape,
  type Teacher,
  type TeacherInputScaling,
  type TeacherLayout,
  teacherInput,
} from '@kdkit/trainers';
import * as tf from '@tensorflow/tfjs-core';

/** An ONNX model: a file path (Node) or URL (browser), or the model's bytes. */
export type OnnxModelSource = string | Uint8Array | ArrayBuffer;

export interface OnnxTeacherOptions {
  /** The model's input layout. Default 'nchw' (PyTorch's). */
  readonly layout?: TeacherLayout;
  /** The pixel scaling the model was trained with, on kdkit's [0, 1] images. Default `{ scale: [0, 1] }`. */
  readonly input?: TeacherInputScaling;
  /** For reports. Default: the file name (or 'onnx-model' for bytes). */
  readonly name?: string;
  /** Checked against the model's output; needed only when the model does not fix it. */
  readonly numClasses?: number;
  /** [height, width, channels] as the dataset gives the images (NHWC, whatever `layout` is); checked against the model's input, needed only when the model does not fix it. */
  readonly inputShape?: readonly [number, number, number];
}

/** An ONNX Runtime tensor, as far as this package reads one. */
interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The metadata ONNX Runtime (≥ 1.22) gives of one input or output. */
interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The part of `onnxruntime-node` / `onnxruntime-web` used here. */
export interface OrtRuntime {
  readonly name: string;
  createSession(bytes: Uint8Array): Promise<OrtSession>;
  tensor(data: Float32Array, dims: readonly number[]): OrtTensor;
}

const metadataDims = (meta: OrtValueMetadata | undefined): ModelDim[] | undefined =>
  meta?.isTensor && meta.shape && meta.shape.length > 0
    ? meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : typeof d === 'string' ? d : null))
    : undefined;

/** What differs between the Node and the browser entries: where bytes and the runtime come from. */
export interface OnnxPlatform {
  /** Reads a model given by path or URL; throws `FILE_NOT_FOUND` naming it. */
  readBytes(source: string): Promise<Uint8Array>;
  /** Loads the runtime; throws `BACKEND_UNAVAILABLE` naming the optional peer to install. */
  loadRuntime(): Promise<OrtRuntime>;
}

/** `onnxTeacher` for one platform: reads the model, loads the runtime, builds the Teacher. */
export async function onnxTeacherOn(
  platform: OnnxPlatform,
  source: OnnxModelSource,
  options: OnnxTeacherOptions,
): Promise<Teacher> {
  const isPath = typeof source === 'string';
  const bytes = isPath
    ? await platform.readBytes(source)
    : source instanceof Uint8Array
      ? source
      : new Uint8Array(source);
  const runtime = await platform.loadRuntime();
  return createOnnxTeacher(runtime, bytes, isPath ? source : 'the given ONNX bytes', {
    ...options,
    ...(options.name === undefined && !isPath ? { name: 'onnx-model' } : {}),
  });
}

/** The `BACKEND_UNAVAILABLE` error of a missing optional runtime peer. */
export function missingRuntime(where: string, runtime: string, cause: unknown): KdkitError {
  return new KdkitError(
    'BACKEND_UNAVAILABLE',
    `${where}: ONNX teachers here need the optional peer dependency '${runtime}' (npm install ${runtime})`,
    { cause },
  );
}

/**
 * An ONNX model, loaded into `runtime`, as a Teacher; `file` names it in errors. Shared by the
 * Node and browser entries, which load the bytes and the runtime.
 */
export async function createOnnxTeacher(
  runtime: OrtRuntime,
  bytes: Uint8Array,
  file: string,
  options: OnnxTeacherOptions,
): Promise<Teacher> {
  const where = 'onnxTeacher';
  const layout = options.layout ?? 'nchw';
  let session: OrtSession;
  try {
    session = await runtime.createSession(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new KdkitError(
      'CORRUPT_FILE',
      `${where}: ${file} is not an ONNX model ${runtime.name} can load: ${reason}`,
      { cause: error },
    );
  }
  try {
    const [inputName, ...moreInputs] = session.inputNames;
    const outputName = session.outputNames[0];
    if (inputName === undefined || moreInputs.length > 0 || outputName === undefined) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: ${file} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; a teacher takes one image input and gives logits as its first output`,
      );
    }
    const inputMeta = session.inputMetadata?.[0];
    if (inputMeta?.isTensor && inputMeta.type !== undefined && inputMeta.type !== 'float32') {
      throw new KdkitError(
        'DTYPE_MISMATCH',
        `${where}: ${file} takes input '${inputName}' as ${inputMeta.type}; a teacher takes float32 images`,
      );
    }
    const modelInput = metadataDims(inputMeta);
    const inputShape = resolveTeacherInputShape(
      where,
      file,
      modelInput ? modelInput.slice(1) : [null, null, null],
      { layout, ...(options.inputShape ? { inputShape: options.inputShape } : {}) },
    );
    if (options.input) checkTeacherInputScaling(where, options.input, inputShape[2]);
    const name = options.name ?? file.replace(/^.*[\\/]/, '');
    const spec = { name, inputShape, layout, ...(options.input ? { input: options.input } : {}) };

    /** The model's first output on `xs` (dataset images), as [dims, values]. */
    const run = async (xs: tf.Tensor4D): Promise<OrtTensor> => {
      const x = teacherInput(xs, spec);
      let values: Float32Array;
      try {
        values = (await x.data()) as Float32Array;
      } finally {
        x.dispose();
      }
      const outputs = await session.run({ [inputName]: runtime.tensor(values, x.shape) });
      const out = outputs[outputName];
      if (out?.type !== 'float32' || !(out.data instanceof Float32Array)) {
        throw new KdkitError(
          'DTYPE_MISMATCH',
          `${where}: ${file} returned output '${outputName}' as ${out?.type ?? 'nothing'}; a teacher returns float32 logits`,
        );
      }
      return out;
    };

    const notLogits = (dims: readonly ModelDim[]) =>
      new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: ${file} gives output '${outputName}' of shape [${dims.map((d) => d ?? '*').join(', ')}]; a teacher gives logits [batch, classes]`,
      );
    const outputDims = metadataDims(session.outputMetadata?.[0]);
    if (outputDims && outputDims.length !== 2) throw notLogits(outputDims);
    let modelClasses = outputDims?.[1] ?? null;
    if (typeof modelClasses !== 'number') {
      // The output width is symbolic or unknown: one blank image tells.
      const blank = tf.zeros([1, ...inputShape]) as tf.Tensor4D;
      const out = await run(blank).finally(() => blank.dispose());
      if (out.dims.length !== 2) throw notLogits(out.dims);
      modelClasses = out.dims[1] ?? null;
    }
    const numClasses = resolveTeacherClasses(where, file, modelClasses, options.numClasses);

    return {
      name,
      numClasses,
      inputShape,
      layout,
      logits: async (xs) => {
        const out = await run(xs);
        const batch = xs.shape[0];
        if (out.dims.length !== 2 || out.dims[0] !== batch || out.dims[1] !== numClasses) {
          throw new KdkitError(
            'SHAPE_MISMATCH',
            `${where}: ${file} returned shape [${out.dims.join(', ')}], expected logits [${batch}, ${numClasses}]`,
          );
        }
        return tf.tensor2d(out.data as Float32Array, [batch, numClasses]);
      },
      dispose: () => {
        void session.release();
      },
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}
