import { readFile } from 'node:fs/promises';
import { KdkitError } from '@kdkit/engine';
import type { Teacher } from '@kdkit/trainers';
import {
  missingRuntime,
  type OnnxModelSource,
  type OnnxTeacherOptions,
  onnxTeacherOn,
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
  return onnxTeacherOn(
    {
      async readBytes(path) {
        try {
          return await readFile(path);
        } catch (error) {
          throw new KdkitError('FILE_NOT_FOUND', `onnxTeacher: cannot read ONNX model ${path}`, {
            cause: error,
          });
        }
      },
      async loadRuntime() {
        let ort: typeof import('onnxruntime-node');
        try {
          ort = await import('onnxruntime-node');
        } catch (error) {
          throw missingRuntime('onnxTeacher', 'onnxruntime-node', error);
        }
        return {
          name: 'onnxruntime-node',
          createSession: (model) => ort.InferenceSession.create(model),
          tensor: (data, dims) => new ort.Tensor('float32', data, dims),
        };
      },
    },
    source,
    options,
  );
}
