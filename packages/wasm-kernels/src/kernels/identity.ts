import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * `Identity` (what `tf.clone` and the gradient tape's saved tensors run) without a copy: the
 * output shares the input's buffer and raises its reference count, as the cpu backend does.
 * Stock wasm copies every saved activation during training; the copies also trip tfjs's
 * `IS_TEST` kernel leak check ("internal memory leak … after running 'fusedMatMul__op'").
 * tfjs tensors are immutable (a variable's `assign` swaps buffers), so sharing is safe.
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Identity, backendName: 'wasm', kernelFunc: identityShared });
 */
export function identityShared(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
}): tf.TensorInfo {
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') return tf.clone(x as tf.Tensor);
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}
