import { KdkitError } from '@kdkit/engine';
import type { Teacher } from '@kdkit/trainers';
import {
  createOnnxTeacher,
  type OnnxModelSource,
  type OnnxTeacherOptions,
  type OrtRuntime,
} from './onnx-teacher.js';

export type { OnnxModelSource, OnnxTeacherOptions } from './onnx-teacher.js';

/**
 * An ONNX model (e.g. exported from PyTorch with `torch.onnx.export`) as a kdkit `Teacher`, run
 * by `onnxruntime-web` (an optional peer: `npm install onnxruntime-web`). This is the browser
 * entry of `@kdkit/onnx` (bundlers pick it; Node gets the same function on `onnxruntime-node`).
 * `source` is a URL (fetched) or the model's bytes.
 *
 * `teacher.logits(xs)` takes the dataset's float32 NHWC images in [0, 1], scales them
 * (`input`: `{ scale: [min, max] }` or `{ mean, std }` per channel), transposes them to the
 * model's `layout` (default `'nchw'`, PyTorch's), and returns the model's first output as logits
 * `[batch, numClasses]` (a model that ends in softmax gives probabilities: export the logits).
 * Before any step, the declared `layout`, `inputShape` and `numClasses` are checked against the
 * model's input and output metadata (or one blank image when the output width is symbolic); a
 * mismatch throws `SHAPE_MISMATCH` naming the file, the declared and the actual values. A URL
 * that cannot be fetched throws `FILE_NOT_FOUND`, bytes that are not ONNX `CORRUPT_FILE`. Call
 * `teacher.dispose()` to free the session.
 *
 * @example
 * import { onnxTeacher } from '@kdkit/onnx';
 * const teacher = await onnxTeacher('/models/resnet.onnx', { layout: 'nchw' });
 * await distill({ teacher, student, train, epochs: 5, batchSize: 64 });
 */
export async function onnxTeacher(
  source: OnnxModelSource,
  options: OnnxTeacherOptions = {},
): Promise<Teacher> {
  const where = 'onnxTeacher';
  let bytes: Uint8Array;
  let file = 'the given ONNX bytes';
  if (typeof source === 'string') {
    file = source;
    let response: Response | undefined;
    try {
      response = await fetch(source);
    } catch (error) {
      throw new KdkitError('FILE_NOT_FOUND', `${where}: cannot fetch ONNX model ${source}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      throw new KdkitError(
        'FILE_NOT_FOUND',
        `${where}: cannot fetch ONNX model ${source}: HTTP ${response.status}`,
      );
    }
    bytes = new Uint8Array(await response.arrayBuffer());
  } else {
    bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  }
  let ort: typeof import('onnxruntime-web');
  try {
    ort = await import('onnxruntime-web');
  } catch (error) {
    throw new KdkitError(
      'BACKEND_UNAVAILABLE',
      `${where}: ONNX teachers in the browser need the optional peer dependency 'onnxruntime-web' (npm install onnxruntime-web)`,
      { cause: error },
    );
  }
  const runtime: OrtRuntime = {
    name: 'onnxruntime-web',
    createSession: (model) => ort.InferenceSession.create(model),
    tensor: (data, dims) => new ort.Tensor('float32', data, dims),
  };
  return createOnnxTeacher(runtime, bytes, file, {
    ...options,
    ...(options.name === undefined && typeof source !== 'string' ? { name: 'onnx-model' } : {}),
  });
}
