import type * as tf from '@tensorflow/tfjs-core';

/** What a kernel func receives (tfjs types `backend` as `{}`). */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}

export type WasmKernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Makes a replacement kernel from the stock kernel it falls back to outside its fast cases. */
export type KernelFactory = (stock: tf.KernelConfig) => WasmKernelFunc;

/** Backends on which each stock kernel's setup has run (it binds the wasm function). */
const setUp = new WeakMap<tf.KernelConfig, WeakSet<object>>();

/**
 * Calls the stock kernel with the same backend. If the stock kernel was unregistered before
 * the backend initialised, its `setupFunc` never ran: run it once first.
 */
export function callStock(
  stock: tf.KernelConfig,
  args: KernelArgs,
  inputs: tf.NamedTensorInfoMap = args.inputs,
  attrs: tf.NamedAttrMap | undefined = args.attrs,
): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as tf.KernelBackend;
  if (stock.setupFunc) {
    let done = setUp.get(stock);
    if (!done) {
      done = new WeakSet();
      setUp.set(stock, done);
    }
    if (!done.has(backend)) {
      stock.setupFunc(backend);
      done.add(backend);
    }
  }
  return stock.kernelFunc({ inputs, attrs, backend });
}
