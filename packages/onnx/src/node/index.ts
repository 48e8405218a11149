import { readFile } from 'node:fs/promises';
import { KdkitError } from '@kdkit/engine';
import type { Teacher } from '@kdkit/trainers';
import {
  createOnnxTeacher,
  type OnnxModelSource,
  type OnnxTeacherOptions,
  type OrtRuntime,
} from '../onnx-teacher.js';

export type { OnnxModelSource, OnnxTeacherOptions } from '../onnx-teacher.js';

/**
 * An ONNX model (e.g. exported from PyTorch with `torch.onnx.export`) as a kdkit `Teacher`,
 * run by `onnxruntime-node` (an optional peer: `pnpm add onnxruntime-node`). This is the Node
 * entry of `@kdkit/onnx`; browsers get the same function on `onnxruntime-web`.
 *
 * `teacher.logits(xs)` takes the dataset's float32 NHWC images in [0, 1], scales them
 * (`input`: `{ scale: [min, max] }` or `{ mean, std }` per channel), transposes them to the
 * model's `layout` (default `'nchw'`, PyTorch's), and returns the model's first output as logits
 * `[batch, numClasses]` (a model that ends in softmax gives probabilities: export the logits).
 * Before any step, the declared `layout`, `inputShape` and `numClasses` are checked against the
 * model's input and output metadata (or one blank image when the output width is symbolic); a
 * mismatch throws `SHAPE_MISMATCH` naming the file, the declared and the actual values. A missing
 * file throws `FILE_NOT_FOUND`, a file that is not ONNX `CORRUPT_FILE`. Call `teacher.dispose()`
 * to free the session.
 *
 * @example
 * import { onnxTeacher } from '@kdkit/onnx';
 * const teacher = await onnxTeacher('resnet.onnx', { layout: 'nchw', input: { scale: [0, 1] } });
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
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw new KdkitError('FILE_NOT_FOUND', `${where}: cannot read ONNX model ${source}`, {
        cause: error,
      });
    }
  } else {
    bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  }
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    throw new KdkitError(
      'BACKEND_UNAVAILABLE',
      `${where}: ONNX teachers in Node need the optional peer dependency 'onnxruntime-node' (npm install onnxruntime-node)`,
      { cause: error },
    );
  }
  const runtime: OrtRuntime = {
    name: 'onnxruntime-node',
    createSession: (model) => ort.InferenceSession.create(model),
    tensor: (data, dims) => new ort.Tensor('float32', data, dims),
  };
  return createOnnxTeacher(runtime, bytes, file, {
    ...options,
    ...(options.name === undefined && typeof source !== 'string' ? { name: 'onnx-model' } : {}),
  });
}
