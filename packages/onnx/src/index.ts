import { KdkitError } from '@kdkit/engine';
import type { Teacher } from '@kdkit/trainers';
import {
  missingRuntime,
  type OnnxModelSource,
  type OnnxTeacherOptions,
  onnxTeacherOn,
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
  return onnxTeacherOn(
    {
      async readBytes(path) {
        let response: Response | undefined;
        try {
          response = await fetch(path);
        } catch (error) {
          throw new KdkitError('FILE_NOT_FOUND', `onnxTeacher: cannot fetch ONNX model ${path}`, {
            cause: error,
          });
        }
        if (!response.ok) {
          throw new KdkitError(
            'FILE_NOT_FOUND',
            `onnxTeacher: cannot fetch ONNX model ${path}: HTTP ${response.status}`,
          );
        }
        return new Uint8Array(await response.arrayBuffer());
      },
      async loadRuntime() {
        let ort: typeof import('onnxruntime-web');
        try {
          ort = await import('onnxruntime-web');
        } catch (error) {
          throw missingRuntime('onnxTeacher', 'onnxruntime-web', error);
        }
        return {
          name: 'onnxruntime-web',
          createSession: (model) => ort.InferenceSession.create(model),
          tensor: (data, dims) => new ort.Tensor('float32', data, dims),
        };
      },
    },
    source,
    options,
  );
}
